"""Sequential, Functional and subclassed models: building, calling, config, summary."""

import numpy as np
import pytest

import baro
from baro.keras import Input, Model, Sequential, layers
from baro.models import Functional
from baro.testing import assert_allclose
from baro.utils.naming import reset_names


def test_sequential_builds_from_input_dim_and_counts_like_keras():
    model = Sequential()
    model.add(layers.Dense(12, input_dim=8, activation="relu"))
    model.add(layers.Dense(8, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    assert model.built
    assert [layer.count_params() for layer in model.layers] == [108, 104, 9]
    assert model.count_params() == 221
    assert model.layers[1].output_shape == (None, 8)
    assert model.output_shape == (None, 1)


def test_sequential_from_list_with_input_and_pop():
    model = Sequential([Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])
    assert model.input_shape == (None, 4)
    assert len(model.layers) == 2
    removed = model.pop()
    assert isinstance(removed, layers.Dense)
    assert model.output_shape == (None, 3)
    assert model(np.ones((5, 4))).shape == (5, 3)
    with pytest.raises(TypeError, match="Layer"):
        model.add("dense")


def test_unbuilt_sequential_builds_on_first_call_and_refuses_summary_before():
    model = Sequential([layers.Dense(2), layers.Dense(1)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model(np.ones((3, 5)))
    assert model.count_params() == 5 * 2 + 2 + 2 + 1


def test_functional_multi_input_multi_output_and_shared_layer(rng):
    a = Input(shape=(3,), name="a")
    b = Input(shape=(3,), name="b")
    shared = layers.Dense(4, name="shared")
    merged = layers.Concatenate()([shared(a), shared(b)])
    out1 = layers.Dense(1, name="out1")(merged)
    out2 = layers.Dense(2, name="out2")(merged)
    model = Model(inputs=[a, b], outputs=[out1, out2])
    assert isinstance(model, Functional)
    xa = rng.standard_normal((5, 3)).astype(np.float32)
    xb = rng.standard_normal((5, 3)).astype(np.float32)
    y1, y2 = model([xa, xb])
    assert y1.shape == (5, 1) and y2.shape == (5, 2)
    k, bias = shared.get_weights()
    h = np.concatenate([xa @ k + bias, xb @ k + bias], axis=1)
    w1, b1 = model.get_layer("out1").get_weights()
    assert_allclose(y1, h @ w1 + b1, rtol=1e-5)
    assert len(shared._inbound_nodes) == 2
    assert model.count_params() == 16 + 9 + 18
    y1_dict, _ = model({"a": xa, "b": xb})
    assert_allclose(y1_dict, y1)


def test_functional_with_operators_and_nested_model(rng):
    inp = Input(shape=(4,))
    h = layers.Dense(4)(inp)
    residual = h + inp
    scaled = residual * 0.5 - 1.0
    first_column = scaled[:, :1]
    inner = Model(inp, first_column)
    outer_in = Input(shape=(4,))
    outer = Model(outer_in, layers.Dense(1)(inner(outer_in)))
    x = rng.standard_normal((2, 4)).astype(np.float32)
    k, b = inner.layers[1].get_weights()
    expected_inner = ((x @ k + b + x) * 0.5 - 1.0)[:, :1]
    assert_allclose(inner(x), expected_inner, rtol=1e-5)
    assert outer(x).shape == (2, 1)
    assert len(outer.trainable_weights) == 4


def test_disconnected_graph_is_reported():
    a = Input(shape=(2,), name="a_in")
    b = Input(shape=(2,), name="b_in")
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected.*b_in"):
        Model(inputs=a, outputs=out)


def test_symbolic_tensor_cannot_be_used_as_a_value():
    x = Input(shape=(2,))
    with pytest.raises(TypeError, match="no value"):
        np.asarray(x)
    with pytest.raises(TypeError, match="if"):
        bool(x)


class TwoLayer(Model):
    def __init__(self, hidden=8, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.d1 = layers.Dense(hidden, activation="relu")
        self.d2 = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.d2(self.d1(inputs))


def test_subclassed_model_tracks_layers_and_weights():
    model = TwoLayer()
    assert model(np.ones((2, 3))).shape == (2, 1)
    assert model.layers == [model.d1, model.d2]
    assert len(model.weights) == 4
    assert model.count_params() == 3 * 8 + 8 + 8 + 1


def test_model_with_inputs_and_outputs_positionally():
    x = Input(shape=(3,))
    model = Model(x, layers.Dense(2)(x))
    assert isinstance(model, Functional)
    with pytest.raises(TypeError, match="only"):
        TwoLayer(inputs=x)


def test_functional_config_round_trip_rebuilds_the_graph(rng):
    a = Input(shape=(3,), name="in_a")
    shared = layers.Dense(3, name="sh")
    y = layers.Add()([shared(a), shared(shared(a))])
    model = Model(a, layers.Dense(2, name="head")(y * 2.0))
    clone = Functional.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = rng.standard_normal((4, 3)).astype(np.float32)
    assert_allclose(clone(x), model(x), rtol=1e-6)


def test_sequential_config_round_trip(rng):
    model = Sequential([layers.Dense(3, input_dim=2), layers.Dropout(0.1),
                        layers.Dense(1)])
    clone = Sequential.from_config(model.get_config())
    assert clone.built
    clone.set_weights(model.get_weights())
    x = rng.standard_normal((4, 2)).astype(np.float32)
    assert_allclose(clone(x), model(x))


def test_summary_matches_keras_numbers(capsys):
    reset_names()
    model = Sequential([layers.Dense(12, input_dim=8, activation="relu"),
                        layers.Dense(8, activation="relu"),
                        layers.Dense(1, activation="sigmoid")])
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out
    assert "dense (Dense)" in out and "(None, 12)" in out
    for count in ("108", "104", "9"):
        assert f" {count} │" in out
    assert "Total params: 221 (884.00 B)" in out
    assert "Trainable params: 221 (884.00 B)" in out
    assert "Non-trainable params: 0 (0.00 B)" in out


def test_functional_summary_lists_connections(capsys):
    a = Input(shape=(2,), name="left")
    b = Input(shape=(2,), name="right")
    model = Model([a, b], layers.Concatenate(name="cat")([a, b]))
    model.summary()
    out = capsys.readouterr().out
    assert "Connected to" in out and "left[0][0], right[0][0]" in out


def test_save_and_load_model_and_weights(tmp_path, rng):
    model = Sequential([layers.Dense(4, input_dim=3, activation="relu"),
                        layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = rng.standard_normal((5, 3)).astype(np.float32)
    path = tmp_path / "m.baro"
    model.save(path)
    loaded = baro.keras.models.load_model(path)
    assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.compiled
    weights_path = tmp_path / "w.weights.safetensors"
    model.save_weights(weights_path)
    other = Sequential([layers.Dense(4, input_dim=3, activation="relu"),
                        layers.Dense(2, activation="softmax")])
    other.load_weights(weights_path)
    assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(FileExistsError):
        model.save_weights(weights_path, overwrite=False)
    wrong = Sequential([layers.Dense(5, input_dim=3)])
    with pytest.raises(ValueError, match="weights"):
        wrong.load_weights(weights_path)


def test_sequential_exposes_symbolic_inputs_and_outputs():
    model = Sequential([Input(shape=(4,)), layers.Dense(3, name="hidden"),
                        layers.Dense(2)])
    assert model.input.shape == (None, 4)
    assert model.output.shape == (None, 2)
    features = Model(model.inputs, model.get_layer("hidden").output)
    assert features(np.ones((5, 4))).shape == (5, 3)
    with pytest.raises(AttributeError, match="no inputs yet"):
        _ = Sequential([layers.Dense(2)]).inputs


def test_sequential_accepts_a_one_element_list():
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    built = Sequential([layers.Input(shape=(4,)), layers.Dense(2)])
    np.testing.assert_array_equal(built.predict([x], verbose=0),
                                  built.predict(x, verbose=0))
    lazy = Sequential([layers.Dense(2)])
    assert lazy.predict([x], verbose=0).shape == (3, 2)
    np.testing.assert_array_equal(lazy([x]).numpy(), lazy(x).numpy())
