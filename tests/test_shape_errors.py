"""Errors that teach: every shape error names the layer (or model, or loss), the
expected and the received shapes, and the likely fix (docs/errors.md)."""

import numpy as np
import pytest

from baro.keras import Input, Model, Sequential, layers


def _zeros(*shape, dtype="float32"):
    return np.zeros(shape, dtype)


def _built(layer, *shape):
    layer(_zeros(*shape))
    return layer


def _fit(model, x, y, loss="mse"):
    model.compile("sgd", loss)
    model.fit(x, y, epochs=1, verbose=0)


def _mlp(outputs=3, activation=None):
    x = Input((4,), name="features")
    return Model(x, layers.Dense(outputs, activation=activation, name="out")(x),
                 name="mlp")


def _flat_mlp():
    x = Input((784,))
    return Model(x, layers.Dense(3)(x), name="mlp")


def _two_inputs():
    a, b = Input((3,)), Input((4,))
    return Model([a, b], layers.Concatenate()([a, b]), name="two")


# (id, provoke, fragments the message must contain: name, expected, received, hint)
CASES = [
    ("conv2d_missing_channels",
     lambda: layers.Conv2D(4, 3, name="conv")(_zeros(2, 28, 28)),
     ["'conv'", "rank 4 (batch, height, width, channels)", "(2, 28, 28)",
      "Input(shape=(28, 28, 1))"]),
    ("conv2d_symbolic_missing_channels",
     lambda: Sequential([Input((28, 28)), layers.Conv2D(4, 3, name="conv")]),
     ["'conv'", "rank 4", "(None, 28, 28)", "x[..., None]"]),
    ("conv2d_flat_inputs",
     lambda: layers.Conv2D(4, 3, name="conv")(_zeros(2, 784)),
     ["'conv'", "rank 4", "(2, 784)", "Reshape((28, 28, 1))"]),
    ("conv2d_other_channels",
     lambda: _built(layers.Conv2D(4, 3, name="conv"), 1, 8, 8, 1)(
         _zeros(1, 8, 8, 3)),
     ["'conv'", "1 channels", "(1, 8, 8, 3)", "new layer"]),
    ("conv2d_input_too_small",
     lambda: layers.Conv2D(4, 5, name="conv")(_zeros(1, 3, 3, 1)),
     ["'conv'", "kernel (5, 5)", "(1, 3, 3, 1)", "padding='same'"]),
    ("conv1d_missing_channels",
     lambda: layers.Conv1D(4, 3, name="conv")(_zeros(2, 8)),
     ["'conv'", "rank 3 (batch, steps, channels)", "(2, 8)", "Input(shape=(8, 1))"]),
    ("max_pooling_missing_channels",
     lambda: layers.MaxPooling2D(name="pool")(_zeros(2, 8, 8)),
     ["'pool'", "rank 4", "(2, 8, 8)", "x[..., None]"]),
    ("max_pooling_symbolic",
     lambda: layers.MaxPooling2D(name="pool")(Input((8, 8))),
     ["'pool'", "rank 4", "(None, 8, 8)", "Reshape((8, 8, 1))"]),
    ("global_pooling_flat",
     lambda: layers.GlobalAveragePooling2D(name="pool")(Input((64,))),
     ["'pool'", "rank 4", "(None, 64)", "Reshape"]),
    ("lstm_without_time_axis",
     lambda: layers.LSTM(4, name="rnn")(_zeros(2, 8)),
     ["'rnn'", "(batch, timesteps, features)", "(2, 8)", "(batch, 1, features)"]),
    ("gru_symbolic_without_time_axis",
     lambda: layers.GRU(4, name="rnn")(Input((8,))),
     ["'rnn'", "(batch, timesteps, features)", "(None, 8)", "x[..., None]"]),
    ("lstm_other_features",
     lambda: _built(layers.LSTM(4, name="rnn"), 2, 5, 3)(_zeros(2, 5, 4)),
     ["'rnn'", "(batch, timesteps, 3)", "(2, 5, 4)", "3 features on the last axis"]),
    ("simple_rnn_symbolic_other_features",
     lambda: _built(layers.SimpleRNN(4, name="rnn"), 2, 5, 3)(Input((5, 6))),
     ["'rnn'", "(batch, timesteps, 3)", "(None, 5, 6)", "new layer"]),
    ("reshape_wrong_size",
     lambda: layers.Reshape((3, 3), name="reshape")(_zeros(2, 8)),
     ["'reshape'", "(3, 3)", "(2, 8)", "-1"]),
    ("reshape_symbolic_wrong_size",
     lambda: layers.Reshape((28, 27), name="reshape")(Input((784,))),
     ["'reshape'", "(28, 27)", "(None, 784)", "same number of values"]),
    ("concatenate_other_sizes",
     lambda: layers.Concatenate(name="concat")([Input((3, 4)), Input((5, 4))]),
     ["'concat'", "(None, 3, 4)", "(None, 5, 4)", "Concatenate(axis=1)"]),
    ("add_other_widths",
     lambda: layers.Add(name="add")([Input((3,)), Input((4,))]),
     ["'add'", "(None, 3)", "(None, 4)", "Concatenate"]),
    ("embedding_index_out_of_range",
     lambda: layers.Embedding(10, 4, name="emb")(np.array([[1, 12]])),
     ["'emb'", "[0, 10)", "12", "Raise input_dim"]),
    ("model_input_other_width",
     lambda: _mlp().predict(_zeros(2, 5), verbose=0),
     ["'mlp'", "(None, 4)", "(2, 5)", "Input(shape=(5,))"]),
    ("model_input_images_for_flat_input",
     lambda: _flat_mlp().predict(_zeros(2, 28, 28), verbose=0),
     ["'mlp'", "(None, 784)", "(2, 28, 28)", "x.reshape(-1, 784)"]),
    ("model_input_in_fit",
     lambda: _fit(_mlp(), _zeros(4, 6), _zeros(4, 3)),
     ["'mlp'", "(None, 4)", "(4, 6)", "Input(shape="]),
    ("model_with_two_inputs_given_one",
     lambda: _two_inputs().predict(_zeros(2, 3), verbose=0),
     ["'two'", "[(None, 3), (None, 4)]", "[(2, 3)]", "one array per input"]),
    ("sequential_input_rank",
     lambda: Sequential([Input((784,)), layers.Dense(3, name="out")],
                        name="seq").predict(_zeros(2, 28, 28), verbose=0),
     ["'seq'", "(None, 784)", "(2, 28, 28)", "x.reshape(-1, 784)"]),
    ("loss_targets_with_other_width",
     lambda: _fit(_mlp(3), _zeros(4, 4), _zeros(4, 2)),
     ["mean_squared_error", "(4, 2)", "(4, 3)", "Dense(2)"]),
    ("loss_sparse_labels_for_categorical",
     lambda: _fit(_mlp(3, "softmax"), _zeros(4, 4), np.array([0, 2, 1, 0]),
                  "categorical_crossentropy"),
     ["categorical_crossentropy", "(4,)", "(4, 3)", "to_categorical"]),
    ("loss_one_hot_for_sparse",
     lambda: _fit(_mlp(3, "softmax"), _zeros(4, 4), np.eye(3)[[0, 2, 1, 0]],
                  "sparse_categorical_crossentropy"),
     ["sparse_categorical_crossentropy", "(4, 3)", "(4,)",
      "use categorical_crossentropy"]),
    ("loss_labels_outside_outputs",
     lambda: _fit(_mlp(3, "softmax"), _zeros(4, 4), np.array([0, 5, 1, 0]),
                  "sparse_categorical_crossentropy"),
     ["sparse_categorical_crossentropy", "[0, 3)", "(4, 3)", "number of output units"]),
    ("loss_binary_targets_with_other_width",
     lambda: _fit(_mlp(1, "sigmoid"), _zeros(4, 4), _zeros(4, 3),
                  "binary_crossentropy"),
     ["binary_crossentropy", "(4, 3)", "(4, 1)", "Reshape y_true"]),
]


@pytest.mark.parametrize("provoke, fragments", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_shape_error_names_layer_shapes_and_fix(provoke, fragments):
    with pytest.raises(ValueError) as info:
        provoke()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"


DENSE_CASES = [
    ("dense_other_features",
     lambda: _built(layers.Dense(3, name="hidden"), 2, 4)(_zeros(2, 5)),
     ["'hidden'", "4 features", "(2, 5)", "Input(shape="]),
    ("dense_symbolic_other_features",
     lambda: _built(layers.Dense(3, name="hidden"), 2, 4)(Input((5,))),
     ["'hidden'", "4 features", "(None, 5)", "Input(shape="]),
    ("sequential_dense_other_features",
     lambda: _fit(Sequential([Input((4,)), layers.Dense(3, name="hidden")]),
                  _zeros(4, 5), _zeros(4, 3)),
     ["'hidden'", "4 features", "(4, 5)", "Input(shape="]),
]


@pytest.mark.parametrize("provoke, fragments", [c[1:] for c in DENSE_CASES],
                         ids=[c[0] for c in DENSE_CASES])
def test_dense_shape_errors_teach(provoke, fragments):
    test_shape_error_names_layer_shapes_and_fix(provoke, fragments)


def test_keras_trailing_axis_rules_still_accept_data():
    # Keras adds or drops a trailing axis of size 1 when only that differs.
    x = Input((1,))
    model = Model(x, layers.Dense(2)(x))
    assert model.predict(_zeros(3), verbose=0).shape == (3, 2)
    seq = Sequential([Input((28, 28)), layers.Flatten(), layers.Dense(2)])
    assert seq.predict(_zeros(3, 28, 28, 1), verbose=0).shape == (3, 2)


@pytest.mark.parametrize("provoke", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_messages_read_as_one_paragraph(provoke):
    with pytest.raises(ValueError) as info:
        provoke()
    message = str(info.value).replace("...", "")
    assert ".." not in message and "\n" not in message, message
