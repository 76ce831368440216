"""Whole models exported to ONNX (the MLP, the MNIST convnet, recurrent
classifiers, functional graphs), the file itself (checker, dynamic batch, atomic
write, opsets), `export_model`, and the errors for what cannot be exported."""

import os

import numpy as np
import pytest

import baro.export
from baro.keras import Input, Model, Sequential, layers
from tests.export.conftest import assert_exports, randomize, run_onnx

onnx = pytest.importorskip("onnx", exc_type=ImportError)
pytest.importorskip("onnxruntime", exc_type=ImportError)


def normal(*shape, seed=0):
    """make_inputs: standard normal floats of per-sample `shape`."""
    def make(batch):
        rng = np.random.default_rng([batch, seed])
        return rng.normal(size=(batch,) + shape).astype("float32")
    return make


def tokens(vocabulary, length):
    """make_inputs: int32 token ids in [0, vocabulary)."""
    def make(batch):
        rng = np.random.default_rng(batch)
        return rng.integers(0, vocabulary, (batch, length)).astype("int32")
    return make


def images(batch):
    return np.random.default_rng(batch).uniform(0, 1, (batch, 28, 28, 1)).astype(
        "float32")


def mnist_convnet():
    """The Keras MNIST example's convnet."""
    return Sequential([
        Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def test_mlp(tmp_path):
    model = Sequential([Input(shape=(20,)), layers.Dense(64, activation="relu"),
                        layers.Dropout(0.2), layers.Dense(32, activation="tanh"),
                        layers.BatchNormalization(),
                        layers.Dense(3, activation="softmax")])
    randomize(model)
    assert_exports(model, normal(20), tmp_path)


def test_mnist_convnet_stays_nchw_between_convolutions(tmp_path):
    model = mnist_convnet()
    assert_exports(model, images, tmp_path)
    ops = [node.op_type for node in onnx.load(str(tmp_path / "model.onnx")).graph.node]
    # One transpose in, one back before Flatten: the pairs between layers cancel.
    assert ops.count("Transpose") == 2
    assert ops.count("Conv") == 2 and ops.count("MaxPool") == 2


def test_trained_convnet_matches(tmp_path):
    model = mnist_convnet()
    x, y = images(32), np.arange(32) % 10
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert_exports(model, images, tmp_path)


@pytest.mark.parametrize("rnn", ["lstm", "gru", "bidirectional"])
def test_text_classifier(rnn, tmp_path):
    recurrent = {"lstm": layers.LSTM(16),
                 "gru": layers.GRU(16, return_sequences=True),
                 "bidirectional": layers.Bidirectional(layers.LSTM(8))}[rnn]
    stack = [Input(shape=(12,), dtype="int32"), layers.Embedding(50, 8), recurrent]
    if rnn == "gru":
        stack.append(layers.GlobalAveragePooling1D())
    model = Sequential(stack + [layers.Dense(1, activation="sigmoid")])
    randomize(model)
    assert_exports(model, tokens(50, 12), tmp_path)


def test_functional_shared_layers_multi_io_and_nested_model(tmp_path):
    shared = layers.Dense(6, activation="relu", name="shared")
    tower = Sequential([Input(shape=(6,)), layers.Dense(5), layers.ELU()],
                       name="tower")
    a, b = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    ha, hb = tower(shared(a)), tower(shared(b))
    merged = layers.Concatenate()([ha, hb])
    outputs = [layers.Dense(2, activation="softmax", name="probs")(merged),
               layers.Subtract(name="gap")([ha, hb])]
    model = Model([a, b], outputs)
    randomize(model)
    assert_exports(model, lambda n: [normal(4)(n), normal(4, seed=1)(n)],
                   tmp_path)
    graph = onnx.load(str(tmp_path / "model.onnx")).graph
    assert [i.name for i in graph.input] == ["left", "right"]
    assert [o.name for o in graph.output] == ["probs", "gap"]
    # Each shared weight is stored once although its layer runs twice.
    shapes = [tuple(t.dims) for t in graph.initializer]
    assert shapes.count((4, 6)) == 1 and shapes.count((6, 5)) == 1


def test_sequential_built_by_a_call_on_data(tmp_path):
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)])
    model.predict(np.ones((5, 3), "float32"), verbose=0)  # builds with batch 5
    assert_exports(model, normal(3), tmp_path)


def test_permute_after_conv_keeps_its_transpose(tmp_path):
    # Two transposes in a row that do not undo each other must both stay.
    model = Sequential([Input(shape=(4, 5, 2)), layers.Conv2D(3, 2),
                        layers.Permute((2, 1, 3)), layers.Flatten(),
                        layers.Dense(3)])
    randomize(model)
    assert_exports(model, normal(4, 5, 2), tmp_path)


@pytest.mark.parametrize("opset", [13, 18, 21])
def test_opsets(opset, tmp_path):
    # Reductions take axes as an attribute before 18 and as an input from 18.
    model = Sequential([Input(shape=(6, 4)), layers.LayerNormalization(),
                        layers.LSTM(3, return_sequences=True),
                        layers.GlobalAveragePooling1D(), layers.Softmax()])
    randomize(model)
    assert_exports(model, normal(6, 4), tmp_path, opset=opset)
    assert onnx.load(str(tmp_path / "model.onnx")).opset_import[0].version == opset


def test_mask_free_use_of_mask_zero_exports(tmp_path):
    # Flatten drops the mask, so nothing downstream would skip steps.
    model = Sequential([Input(shape=(5,), dtype="int32"),
                        layers.Embedding(9, 2, mask_zero=True), layers.Flatten(),
                        layers.Dense(2)])
    assert_exports(model, tokens(9, 5), tmp_path)


# -- the file ----------------------------------------------------------------------
def test_file_is_checked_and_batch_is_dynamic(tmp_path):
    model = Sequential([Input(shape=(3,), batch_size=4), layers.Dense(2)])
    proto = baro.export.onnx(model, tmp_path / "m.onnx")
    onnx.checker.check_model(proto, full_check=True)
    loaded = onnx.load(str(tmp_path / "m.onnx"))
    assert loaded.producer_name == "baro"
    dims = loaded.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and dims[1].dim_value == 3
    for batch in (1, 7):
        x = np.ones((batch, 3), "float32")
        np.testing.assert_allclose(run_onnx(tmp_path / "m.onnx", [x])[0],
                                   model.predict(x, verbose=0), rtol=1e-6)


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.onnx"
    baro.export.onnx(Sequential([Input(shape=(3,)), layers.Dense(2)]), path)
    before = path.read_bytes()

    def disk_full(src, dst):
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        baro.export.onnx(Sequential([Input(shape=(3,)), layers.Dense(5)]), path)
    assert path.read_bytes() == before  # the previous good file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_export_model_is_keras_model_export(tmp_path, capsys):
    model = Sequential([Input(shape=(3,)), layers.Dense(2)])
    baro.export.export_model(model, tmp_path / "a.onnx", verbose=True,
                             opset_version=15)
    assert "a.onnx" in capsys.readouterr().out
    assert onnx.load(str(tmp_path / "a.onnx")).opset_import[0].version == 15
    model.export(tmp_path / "c.onnx")  # Model.export goes through export_model
    assert onnx.load(str(tmp_path / "c.onnx")).graph.output[0].name == \
        model.layers[-1].name
    with pytest.raises(ValueError, match="format must be one of"):
        baro.export.export_model(model, tmp_path / "b", format="tf_saved_model")
    with pytest.raises(ValueError, match="input_signature"):
        baro.export.export_model(model, tmp_path / "b.onnx", input_signature=[1])
    with pytest.raises(ValueError, match="unexpected keyword"):
        baro.export.export_model(model, tmp_path / "b.onnx", dynamic=True)


# -- what cannot be exported ---------------------------------------------------------
def _my_activation(x):
    return x


class _Subclassed(Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


@pytest.mark.parametrize("make, message", [
    (lambda: Sequential([Input(shape=(4, 4, 1)), layers.Conv2DTranspose(2, 2)]),
     r"Conv2DTranspose 'conv2d_transpose\w*' has no ONNX converter\. "
     r"Supported layers: .*Dense"),
    (lambda: Sequential([Input(shape=(3,)),
                         layers.Dense(2, activation=_my_activation)]),
     r"Dense 'dense\w*' uses the activation '_my_activation'.*Supported "
     r"activations: .*gelu"),
    (lambda: Sequential([Input(shape=(5, 2)), layers.LSTM(2, activation="gelu")]),
     "LSTM 'lstm.*' uses the activation 'gelu'"),
    (lambda: Sequential([layers.Dense(2)]), "not built"),
    (_Subclassed, "subclassed model"),
    (lambda: Sequential([Input(shape=(5,), dtype="int32"),
                         layers.Embedding(9, 2, mask_zero=True), layers.LSTM(2)]),
     r"LSTM 'lstm\w*' receives a mask"),
    (lambda: Model(_x := Input(shape=(3,)), layers.Dropout(0.5)(_x, training=True)),
     r"Dropout 'dropout\w*' is called with training=True"),
    (lambda: Sequential([Input(batch_shape=(2, 5, 3)),
                         layers.GRU(2, stateful=True)]), "stateful"),
])
def test_unsupported_models_are_refused_by_name(make, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        baro.export.onnx(make(), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("opset", [12, "17", 10_000, True])
def test_bad_opset(opset, tmp_path):
    model = Sequential([Input(shape=(3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="opset must be an int from 13"):
        baro.export.onnx(model, tmp_path / "m.onnx", opset=opset)


def test_directory_path_is_refused(tmp_path):
    model = Sequential([Input(shape=(3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="is a directory"):
        baro.export.onnx(model, tmp_path)
