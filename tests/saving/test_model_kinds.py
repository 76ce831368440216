"""Whole models through save/load: every model kind, compile state, optimizer
state (training resumes bit for bit), JSON, and weights-only files."""

import json

import numpy as np
import pytest

from baro import layers, optimizers
from baro.models import Model, Sequential, load_model, model_from_json
from baro.saving import register_serializable
from baro.saving.scope import custom_object_scope

rng = np.random.default_rng(1)
X = rng.normal(size=(64, 6)).astype("float32")
Y = (X[:, :1] * 2 - X[:, 1:2] > 0).astype("float32")


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for u, v in zip(wa, wb, strict=True):
        np.testing.assert_array_equal(u, v)


def mlp():
    return Sequential([layers.Input(shape=(6,)), layers.Dense(8, activation="relu"),
                       layers.BatchNormalization(), layers.Dense(1,
                                                                 activation="sigmoid")])


def test_sequential_without_input_built_by_fit(tmp_path):
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "m.baro")
    restored = load_model(tmp_path / "m.baro")
    np.testing.assert_array_equal(restored.predict(X, verbose=0),
                                  model.predict(X, verbose=0))


def test_functional_shared_layers_multi_input_output(tmp_path):
    a, b = layers.Input(shape=(6,), name="a"), layers.Input(shape=(6,), name="b")
    shared = layers.Dense(5, activation="tanh", name="shared")
    ha, hb = shared(a), shared(b)
    joined = layers.Concatenate()([ha, hb, layers.Add()([ha, hb])])
    out1 = layers.Dense(1, name="score")(joined)
    out2 = layers.Dense(3, activation="softmax", name="cls")(hb)
    model = Model([a, b], [out1, out2])
    model.compile("adam", ["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[["mae"], ["accuracy"]])
    y2 = rng.integers(0, 3, size=(64,))
    model.fit([X, X[::-1]], [Y, y2], epochs=1, verbose=0)
    model.save(tmp_path / "m.baro")
    restored = load_model(tmp_path / "m.baro")
    assert len(restored.weights) == len(model.weights) == 6  # shared once
    for got, want in zip(restored.predict([X, X], verbose=0),
                         model.predict([X, X], verbose=0), strict=True):
        np.testing.assert_array_equal(got, want)
    assert restored.evaluate([X, X[::-1]], [Y, y2], verbose=0) == \
        model.evaluate([X, X[::-1]], [Y, y2], verbose=0)


def test_nested_models(tmp_path):
    inner = Sequential([layers.Input(shape=(6,)), layers.Dense(3)], name="inner")
    x = layers.Input(shape=(6,))
    model = Model(x, layers.Dense(2)(inner(x)))
    model.save(tmp_path / "m.baro")
    restored = load_model(tmp_path / "m.baro")
    assert_same_weights(restored, model)
    np.testing.assert_array_equal(restored.predict(X, verbose=0),
                                  model.predict(X, verbose=0))


@register_serializable("saving_tests")
class Scaled(layers.Layer):
    """A custom layer with a config and a weight."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@register_serializable("saving_tests")
class TwoTower(Model):
    """A subclassed model with a custom config."""

    def __init__(self, hidden=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.left = layers.Dense(hidden, activation="relu")
        self.scale = Scaled(0.5)
        self.head = layers.Dense(1)

    def call(self, x):
        return self.head(self.scale(self.left(x)))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


def test_subclassed_model_registered(tmp_path):
    model = TwoTower(hidden=5)
    model.compile(optimizers.Adam(0.01), "mse")
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "m.baro")
    restored = load_model(tmp_path / "m.baro")
    assert isinstance(restored, TwoTower) and restored.hidden == 5
    assert_same_weights(restored, model)
    np.testing.assert_array_equal(restored.predict(X, verbose=0),
                                  model.predict(X, verbose=0))


class Unregistered(layers.Layer):
    def call(self, x):
        return x + 1.0


def test_custom_objects_argument_and_scope(tmp_path):
    model = Sequential([layers.Input(shape=(6,)), Unregistered(), layers.Dense(2)])
    model.save(tmp_path / "m.baro")
    with pytest.raises(ValueError, match="Unknown layer class 'Unregistered'"):
        load_model(tmp_path / "m.baro")
    restored = load_model(tmp_path / "m.baro",
                          custom_objects={"Unregistered": Unregistered})
    np.testing.assert_array_equal(restored.predict(X, verbose=0),
                                  model.predict(X, verbose=0))
    with custom_object_scope({"Unregistered": Unregistered}):
        again = load_model(tmp_path / "m.baro")
    assert_same_weights(again, model)


def test_build_config_subclassed_model_build():
    model = TwoTower(hidden=3)
    model.build((None, 6))
    assert len(model.weights) == 5  # dense kernel/bias, scale w, head kernel/bias
    assert model.get_build_config() == {"input_shape": [None, 6]}


@pytest.mark.parametrize("make_optimizer", [
    lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    lambda: optimizers.Adam(optimizers.schedules.ExponentialDecay(0.01, 3, 0.9),
                            amsgrad=True),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, weight_decay=0.01),
    lambda: optimizers.Adagrad(0.1),
    lambda: optimizers.AdamW(0.01),
    lambda: optimizers.Nadam(0.01),
    lambda: optimizers.Adadelta(1.0),
    lambda: optimizers.Adamax(0.01),
    lambda: optimizers.Lion(0.001),
], ids=["sgd", "adam", "rmsprop", "adagrad", "adamw", "nadam", "adadelta",
        "adamax", "lion"])
def test_resume_training_bit_identical(make_optimizer, tmp_path):
    def fresh():
        model = mlp()
        model.set_weights([np.full_like(w, 0.1) + 0.01 * np.arange(w.size)
                           .reshape(w.shape) for w in model.get_weights()])
        model.compile(make_optimizer(), "binary_crossentropy",
                      metrics=["accuracy"])
        return model

    straight = fresh()
    straight.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    first = fresh()
    first.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    first.save(tmp_path / "half.baro")
    resumed = load_model(tmp_path / "half.baro")
    assert int(resumed.optimizer.iterations) == 8
    history = resumed.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert_same_weights(resumed, straight)
    for a, b in zip(resumed.optimizer.variables, straight.optimizer.variables,
                    strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert np.isfinite(history.history["loss"]).all()


def test_without_optimizer_or_compile(tmp_path):
    model = mlp()
    model.compile(optimizers.Adam(0.01), "mse")
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "a.baro", include_optimizer=False)
    fresh = load_model(tmp_path / "a.baro")
    assert int(fresh.optimizer.iterations) == 0
    bare = load_model(tmp_path / "a.baro", compile=False)
    assert not bare.compiled
    assert_same_weights(bare, model)


def test_compiled_but_untrained_optimizer_round_trips(tmp_path):
    model = mlp()
    model.compile(optimizers.SGD(0.25), "mse")
    model.save(tmp_path / "m.baro")
    restored = load_model(tmp_path / "m.baro")
    assert restored.optimizer.get_config() == model.optimizer.get_config()


def test_to_json_and_model_from_json():
    model = mlp()
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Sequential"
    twin = model_from_json(text)
    assert twin.get_config() == model.get_config()
    twin.set_weights(model.get_weights())
    np.testing.assert_array_equal(twin.predict(X, verbose=0),
                                  model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="not valid JSON"):
        model_from_json("{nope")


def test_get_set_weights_and_weight_files(tmp_path):
    model, twin = mlp(), mlp()
    twin.set_weights(model.get_weights())
    assert_same_weights(twin, model)
    other = mlp()
    model.save_weights(tmp_path / "w.weights.safetensors")
    other.load_weights(tmp_path / "w.weights.safetensors")
    assert_same_weights(other, model)
    model.save(tmp_path / "m.baro")
    third = mlp()
    third.load_weights(tmp_path / "m.baro")  # weights out of a model file
    assert_same_weights(third, model)
    small = Sequential([layers.Input(shape=(6,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="holds 8 weights but model"):
        small.load_weights(tmp_path / "w.weights.safetensors")


def test_weights_h5_round_trip(tmp_path):
    pytest.importorskip("h5py", exc_type=ImportError)
    pytest.importorskip("baro.interop", exc_type=ImportError)
    model, other = mlp(), mlp()
    model.save_weights(tmp_path / "m.weights.h5")
    other.load_weights(tmp_path / "m.weights.h5")
    assert_same_weights(other, model)


def test_extensions_and_overwrite(tmp_path):
    model = mlp()
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="save_format='tf'"):
        model.save(tmp_path / "m.baro", save_format="tf")
    model.save(tmp_path / "m.baro")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.baro", overwrite=False)


def test_resume_training_through_a_keras_file(tmp_path):
    pytest.importorskip("h5py", exc_type=ImportError)
    pytest.importorskip("baro.interop", exc_type=ImportError)

    def fresh():
        model = Sequential([layers.Input(shape=(6,)),
                            layers.Dense(8, activation="relu"), layers.Dense(1)])
        model.set_weights([np.full_like(w, 0.1) + 0.01 * np.arange(w.size)
                           .reshape(w.shape) for w in model.get_weights()])
        model.compile(optimizers.Adam(0.01), "mse")
        return model

    straight = fresh()
    straight.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    first = fresh()
    first.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")  # Keras 3's format, optimizer included
    resumed = load_model(tmp_path / "half.keras")
    resumed.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert_same_weights(resumed, straight)
