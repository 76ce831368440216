"""evaluate / validation / test_on_batch through a compiled test step give
exactly what the eager test_step gives."""

import numpy as np
import pytest

import baro
from baro.keras import Input, Model, Sequential, layers


def _mlp():
    return Sequential([layers.Input((6,)), layers.Dense(16, activation="relu"),
                       layers.BatchNormalization(), layers.Dropout(0.3),
                       layers.Dense(3, activation="softmax")])


def _two_outputs():
    x = Input((6,))
    h = layers.Dense(8, activation="tanh")(x)
    return Model(x, [layers.Dense(3, activation="softmax", name="cls")(h),
                     layers.Dense(1, name="reg")(h)])


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 6)).astype("float32")
    return x, rng.integers(0, 3, 100), rng.normal(size=(100, 1)).astype("float32"), \
        rng.random(100).astype("float32")


def _pair(build, compile_args):
    models = []
    for eager in (False, True):
        baro.utils.set_random_seed(0)
        model = build()
        model.compile(**compile_args, run_eagerly=eager)
        models.append(model)
    return models


def test_evaluate_matches_eager_with_metrics_and_sample_weights(data):
    x, y, _, w = data
    compiled, eager = _pair(_mlp, dict(optimizer="adam",
                                       loss="sparse_categorical_crossentropy",
                                       metrics=["accuracy"]))
    for model in (compiled, eager):
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for kwargs in ({}, {"sample_weight": w}):
        a = compiled.evaluate(x, y, batch_size=16, verbose=0, return_dict=True,
                              **kwargs)
        b = eager.evaluate(x, y, batch_size=16, verbose=0, return_dict=True, **kwargs)
        assert a == b
    # The 16-row batches came often enough to be verified and replayed (the
    # last batch of 4 is seen once per evaluate: traced, never replayed).
    cache = compiled._step_compiler.cache
    full = [k for k in cache if k[0] == "test" and k[1][0][0] == 16]
    assert len(full) == 2 and all(cache[k] is not None and cache[k].verified
                                  for k in full)


def test_validation_and_test_on_batch_match_eager_with_two_outputs(data):
    x, y, r, _ = data
    compiled, eager = _pair(_two_outputs, dict(
        optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"],
        metrics=[["accuracy"], ["mae"]]))
    histories = [m.fit(x, [y, r], batch_size=20, epochs=3, validation_split=0.3,
                       shuffle=False, verbose=0).history for m in (compiled, eager)]
    assert histories[0] == histories[1]
    assert compiled.test_on_batch(x[:10], [y[:10], r[:10]]) == \
        eager.test_on_batch(x[:10], [y[:10], r[:10]])


def test_a_custom_test_step_is_called_and_not_compiled(data):
    x, y, _, _ = data
    calls = []

    class Custom(Sequential):
        def test_step(self, batch):
            calls.append(1)
            return super().test_step(batch)

    model = Custom([layers.Input((6,)), layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.evaluate(x, y, batch_size=50, verbose=0)
    assert len(calls) == 2
    compiler = model.__dict__.get("_step_compiler")
    assert compiler is None or not any(k[0] == "test" for k in compiler.cache)


def test_a_loss_reading_values_in_python_falls_back_to_eager(data):
    x, y, _, _ = data

    def odd_loss(y_true, y_pred):
        # Reads the labels' values in Python: a trace cannot be replayed.
        scale = 2.0 if float(np.asarray(y_true.numpy()).sum()) > 15 else 1.0
        return baro.losses.sparse_categorical_crossentropy(y_true, y_pred) * scale

    compiled, eager = _pair(lambda: Sequential([layers.Input((6,)),
                                                layers.Dense(3, activation="softmax")]),
                            dict(optimizer="sgd", loss=odd_loss))
    assert compiled.evaluate(x, y, batch_size=10, verbose=0) == \
        eager.evaluate(x, y, batch_size=10, verbose=0)
    reasons = compiled._step_compiler.reasons
    assert any(k[0] == "test" for k in reasons)
