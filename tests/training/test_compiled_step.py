"""fit's compiled step (baro/training/compiled.py): bit-identical to eager steps,
used for ordinary models, and refused where a replay would be wrong."""

import numpy as np
import pytest

import baro
from baro import layers


def _data(n=96, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, 0] * 2 + x[:, 1] > 0).astype("int64") + (x[:, 2] > 1).astype("int64")
    return x, np.minimum(y, classes - 1)


def _mlp(classes=3, extra=()):
    return baro.keras.Sequential([
        layers.Input((6,)), layers.Dense(16, activation="relu"), *extra,
        layers.Dense(classes, activation="softmax")])


def _train(build, compile_kwargs, fit_kwargs, eager):
    baro.random.set_seed(7)
    model = build()
    if callable(compile_kwargs):  # fresh optimizer and metric objects per run
        compile_kwargs = compile_kwargs()
    model.compile(run_eagerly=eager, **compile_kwargs)
    history = model.fit(verbose=0, **fit_kwargs)
    return model, history.history


def _assert_identical(build, compile_kwargs, fit_kwargs, expect_compiled=True):
    eager_model, eager_history = _train(build, compile_kwargs, fit_kwargs, True)
    model, history = _train(build, compile_kwargs, fit_kwargs, False)
    assert history == eager_history
    for a, b in zip(model.get_weights(), eager_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    compiler = model._step_compiler
    assert compiler is not None
    verified = [r for r in compiler.cache.values() if r is not None and r.verified]
    if expect_compiled:
        assert verified, compiler.reasons
    return model


X, Y = _data()
CASES = {
    "sparse_ce_adam": (_mlp, dict(optimizer="adam", metrics=["accuracy"],
                                  loss="sparse_categorical_crossentropy"),
                       dict(x=X, y=Y, batch_size=16, epochs=3, shuffle=False)),
    "categorical_sgd_shuffled": (
        _mlp, lambda: dict(optimizer=baro.optimizers.SGD(0.1, momentum=0.9),
                           loss="categorical_crossentropy", metrics=["accuracy"]),
        dict(x=X, y=baro.utils.to_categorical(Y, 3), batch_size=32, epochs=3)),
    "logits_with_partial_batch": (
        lambda: baro.keras.Sequential([layers.Input((6,)), layers.Dense(8, "tanh"),
                                       layers.Dense(3)]),
        lambda: dict(optimizer="rmsprop",
                     loss=baro.losses.SparseCategoricalCrossentropy(from_logits=True)),
        dict(x=X, y=Y, batch_size=40, epochs=2, shuffle=False)),
    "binary_with_validation": (
        lambda: baro.keras.Sequential([layers.Input((6,)), layers.Dense(4, "relu"),
                                       layers.Dense(1, "sigmoid")]),
        lambda: dict(optimizer="adam", loss="binary_crossentropy",
                     metrics=["accuracy", baro.metrics.AUC()]),
        dict(x=X, y=(Y > 0).astype("float32"), batch_size=16, epochs=2,
             validation_split=0.25, shuffle=False)),
    "mse_sample_weights": (
        lambda: baro.keras.Sequential([layers.Input((6,)), layers.Dense(1)]),
        dict(optimizer="adam", loss="mse", metrics=["mae"]),
        dict(x=X, y=X[:, :1] * 3, sample_weight=np.linspace(0.5, 2, len(X)),
             batch_size=24, epochs=2, shuffle=False)),
    "class_weight": (
        _mlp, dict(optimizer="adam", loss="sparse_categorical_crossentropy"),
        dict(x=X, y=Y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, batch_size=16,
             epochs=2, shuffle=False)),
    "batchnorm_dropout": (
        lambda: _mlp(extra=(layers.BatchNormalization(), layers.Dropout(0.3))),
        dict(optimizer="adam", loss="sparse_categorical_crossentropy"),
        dict(x=X, y=Y, batch_size=16, epochs=2, shuffle=False)),
    "regularized": (
        lambda: baro.keras.Sequential([
            layers.Input((6,)), layers.Dense(8, "relu", kernel_regularizer="l2"),
            layers.Dense(3, "softmax")]),
        dict(optimizer="adamw", loss="sparse_categorical_crossentropy"),
        dict(x=X, y=Y, batch_size=32, epochs=2, shuffle=False)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_fit_is_bit_identical_to_eager(name):
    build, compile_kwargs, fit_kwargs = CASES[name]
    _assert_identical(build, compile_kwargs, fit_kwargs)


def test_conv_and_lstm_models_compile():
    rng = np.random.default_rng(1)
    images = rng.normal(size=(24, 8, 8, 1)).astype("float32")
    labels = rng.integers(0, 2, 24)

    def convnet():
        return baro.keras.Sequential([
            layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2, "softmax")])

    _assert_identical(convnet, dict(optimizer="adam",
                                    loss="sparse_categorical_crossentropy"),
                      dict(x=images, y=labels, batch_size=8, epochs=2, shuffle=False))

    def lstm():
        return baro.keras.Sequential([layers.Input((8, 8)), layers.LSTM(5),
                                      layers.Dense(2, "softmax")])

    _assert_identical(lstm, dict(optimizer="adam",
                                 loss="sparse_categorical_crossentropy"),
                      dict(x=images[..., 0], y=labels, batch_size=8, epochs=2,
                           shuffle=False))


def test_two_input_two_output_functional_model_compiles():
    a = layers.Input((6,), name="a")
    b = layers.Input((2,), name="b")
    hidden = layers.Dense(8, activation="relu")(layers.Concatenate()([a, b]))
    out1 = layers.Dense(3, activation="softmax", name="cls")(hidden)
    out2 = layers.Dense(1, name="reg")(hidden)

    def build():
        return baro.keras.Model([a, b], [out1, out2]).__class__.from_config(
            baro.keras.Model([a, b], [out1, out2]).get_config())

    x2 = X[:, :2].copy()
    _assert_identical(
        build, dict(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                    loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]]),
        dict(x=[X, x2], y=[Y, x2.sum(1, keepdims=True)], batch_size=16, epochs=2,
             shuffle=False))


def test_value_reading_loss_falls_back_to_eager():
    def peeking_loss(y_true, y_pred):  # Python reads a tensor's value
        scale = float(np.asarray(y_true).mean()) + 1.0
        return baro.reduce_mean(baro.square(y_true - y_pred)) * scale

    model = _assert_identical(
        lambda: baro.keras.Sequential([layers.Input((6,)), layers.Dense(1)]),
        dict(optimizer="sgd", loss=peeking_loss),
        dict(x=X, y=X[:, :1], batch_size=16, epochs=2, shuffle=False),
        expect_compiled=False)
    assert set(model._step_compiler.cache.values()) == {None}
    assert "NumPy array" in next(iter(model._step_compiler.reasons.values()))


def test_constants_built_from_batch_values_are_caught_by_the_second_trace():
    def masked_loss(y_true, y_pred):  # builds a mask from .data outside any op
        mask = (y_true.data > 0).astype("float32")
        return baro.reduce_mean(baro.square(y_true - y_pred) * mask)

    model = _assert_identical(
        lambda: baro.keras.Sequential([layers.Input((6,)), layers.Dense(1)]),
        dict(optimizer="sgd", loss=masked_loss),
        dict(x=X, y=X[:, :1], batch_size=16, epochs=2, shuffle=False),
        expect_compiled=False)
    reasons = list(model._step_compiler.reasons.values())
    assert reasons and "two batches" in reasons[0]


def test_full_batch_training_replays_the_unverified_plan():
    # Every batch holds the same values: the first trace is replayed as it is;
    # a later fit on other values of the same shape traces again and verifies.
    def run(eager, second_fit):
        baro.random.set_seed(3)
        model = _mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      run_eagerly=eager)
        model.fit(X[:8], Y[:8], batch_size=8, epochs=5, verbose=0, shuffle=False)
        states = []
        if not eager:
            states.append([r.verified for r in model._step_compiler.cache.values()])
        if second_fit:
            model.fit(X[8:16], Y[8:16], batch_size=8, epochs=2, verbose=0,
                      shuffle=False)
            if not eager:
                states.append([r.verified for r in
                               model._step_compiler.cache.values()])
        return model, states

    compiled, states = run(False, True)
    eager, _ = run(True, True)
    assert states == [[False], [True]]
    for a, b in zip(compiled.get_weights(), eager.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_freezing_a_layer_between_fits_retraces():
    def run(eager):
        baro.random.set_seed(11)
        model = _mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      run_eagerly=eager)
        model.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
        model.layers[0].trainable = False
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      run_eagerly=eager)
        model.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
        return model

    compiled, eager = run(False), run(True)
    for a, b in zip(compiled.get_weights(), eager.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_custom_train_step_and_run_eagerly_skip_the_compiler():
    class Custom(baro.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.calls = 0

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.calls += 1
            return super().train_step(data)

    model = Custom()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, X[:, :1], batch_size=32, epochs=1, verbose=0)
    assert model.calls == 3 and model._step_compiler is None

    plain = baro.keras.Sequential([layers.Input((6,)), layers.Dense(1)])
    plain.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    plain.fit(X, X[:, :1], batch_size=32, epochs=1, verbose=0)
    assert plain._step_compiler is None
    baro.config.run_functions_eagerly(True)
    try:
        plain.run_eagerly = False
        plain.fit(X, X[:, :1], batch_size=32, epochs=1, verbose=0)
        assert plain._step_compiler is None
    finally:
        baro.config.run_functions_eagerly(False)


def test_compiled_predict_matches_eager_and_follows_weight_changes():
    baro.random.set_seed(5)
    model = _mlp(extra=(layers.BatchNormalization(), layers.Dropout(0.5)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    for rows in (X[:1], X[:1], X[1:2], X[:7], X):  # repeats, new values, batching
        expected = model(rows, training=False).numpy()
        np.testing.assert_array_equal(model.predict(rows, verbose=0), expected)
        np.testing.assert_array_equal(model.predict_on_batch(rows), expected)
    compiled = model._step_compiler.cache
    assert any(r is not None and r.verified for k, r in compiled.items() if not k[0])
    # Weights changed in place (set_weights, training) are read at every replay.
    model.set_weights([w * 0.5 for w in model.get_weights()])
    np.testing.assert_array_equal(model.predict(X[:1], verbose=0),
                                  model(X[:1], training=False).numpy())
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict(X[2:3], verbose=0),
                                  model(X[2:3], training=False).numpy())


def test_predict_of_a_value_reading_model_runs_eagerly():
    class Peeking(baro.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x) * float(np.asarray(x).max())

    model = Peeking()
    for rows in (X[:3], X[3:6]):
        np.testing.assert_array_equal(model.predict(rows, verbose=0),
                                      model(rows).numpy())
    assert set(model._step_compiler.cache.values()) == {None}


def test_train_on_batch_uses_the_compiled_step():
    def run(eager):
        baro.random.set_seed(2)
        model = _mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=eager)
        results = [model.train_on_batch(X[i:i + 16], Y[i:i + 16])
                   for i in range(0, 96, 16)]
        return model, results

    compiled, results = run(False)
    eager, eager_results = run(True)
    assert results == eager_results
    for a, b in zip(compiled.get_weights(), eager.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(r is not None and r.verified
               for r in compiled._step_compiler.cache.values())
