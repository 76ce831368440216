"""Compiled steps under threads, many shapes, and the memory they keep."""

import threading
import warnings

import numpy as np

import baro
from baro.keras import Sequential, layers
from baro.ops import parallel
from baro.training.compiled import StepCompiler


def _rnn_model():
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Input((6, 3)), layers.Masking(0.0), layers.LSTM(4),
                        layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


def test_predicts_from_two_threads_match_the_eager_model():
    model = _rnn_model()
    rng = np.random.default_rng(0)
    inputs = []
    for k in range(2):
        x = rng.normal(size=(5, 6, 3)).astype("float32")
        x[:, 6 - 2 * k:] = 0.0  # each thread its own mask
        inputs.append(x)
    expected = [model(x, training=False).numpy() for x in inputs]
    for x in inputs:  # trace and verify both signatures' plan
        model.predict(x, verbose=0)
    wrong = []

    def hammer(k: int) -> None:
        for _ in range(60):
            if not np.array_equal(model.predict(inputs[k], verbose=0), expected[k]):
                wrong.append(k)

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_forward_only_plans_keep_no_activations_between_runs():
    model = _rnn_model()
    x = np.random.default_rng(1).normal(size=(5, 6, 3)).astype("float32")
    y = np.zeros((5, 2), "float32")
    for k in range(3):  # other values each time: the second trace verifies
        model.predict(x + k, verbose=0)
        model.evaluate(x - k, y, verbose=0)
    replays = [r for r in model._step_compiler.cache.values() if r is not None]
    assert len(replays) == 2 and all(r.verified for r in replays)
    for replay in replays:
        assert replay.reference == []  # verified: no input copies kept
        assert all(function.saved is None for function, _, _ in replay.plan.steps)


def test_the_cache_keeps_a_bounded_number_of_signatures(monkeypatch):
    monkeypatch.setattr(StepCompiler, "MAX_SIGNATURES", 3)
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Input((3,)), layers.Dense(2)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(1, 7):  # six batch sizes: six signatures
            out = model.predict(np.full((n, 3), float(n), "float32"), verbose=0)
            np.testing.assert_array_equal(
                out, model(np.full((n, 3), float(n), "float32")).numpy())
    assert len(model._step_compiler.cache) == 3
    assert sum("input signatures" in str(w.message) for w in caught) == 1


def test_map_slices_nested_in_a_slice_runs_in_place():
    parallel.set_threads(2)
    try:
        def inner(part):
            return sum(parallel.map_slices(lambda: (lambda q: q * part), [1, 2, 3]))

        done = []
        worker = threading.Thread(target=lambda: done.append(
            parallel.map_slices(lambda: inner, [1, 2, 3, 4])))
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), "nested map_slices deadlocked"
        assert done == [[6, 12, 18, 24]]
    finally:
        parallel.set_threads(None)


def test_a_replayed_training_step_keeps_no_activations_or_traced_arrays():
    model = _rnn_model()
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 6, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    replays = [r for r in model._step_compiler.cache.values() if r is not None]
    assert replays and all(r.verified for r in replays)
    for replay in replays:
        for function, _, _ in replay.plan.steps:
            assert function.saved is None
            assert all(not hasattr(t, "data") for t in function.inputs)


def test_a_fitted_model_can_be_deep_copied_and_trains_on():
    import copy

    model = _rnn_model()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 6, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    twin = copy.deepcopy(model)
    assert twin._step_compiler is not model._step_compiler
    assert twin._step_compiler.model is twin and twin._step_compiler.cache == {}
    np.testing.assert_array_equal(twin.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_eviction_drops_the_least_recently_used_signature(monkeypatch):
    monkeypatch.setattr(StepCompiler, "MAX_SIGNATURES", 3)
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Input((3,)), layers.Dense(2)])
    hot = np.arange(6, dtype="float32").reshape(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(3, 12):  # a one-off size, then the hot batch again
            model.predict(np.ones((n, 3), "float32"), verbose=0)
            model.predict(hot + n, verbose=0)
    hot_key = (False, ((2, 3), "f"), None, None)
    replay = model._step_compiler.cache.get(hot_key)
    assert replay is not None and replay.verified


def test_a_users_function_reading_its_inputs_gets_each_batchs_values():
    from baro.core.function import Function

    class Scale(Function):  # backward reads the input's values (not `saved`)
        def forward(self, x, w):
            return x * w

        def backward(self, g):
            x, w = (t.data for t in self.inputs)
            return g * w, (g * x).sum(axis=0)

    class ScaleLayer(layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

        def call(self, x):
            return Scale().apply(x, self.w)

    rng = np.random.default_rng(4)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = rng.normal(size=(12, 1)).astype("float32")

    def fit(eager: bool):
        baro.utils.set_random_seed(0)
        model = Sequential([layers.Input((3,)), ScaleLayer(), layers.Dense(1)])
        model.compile("sgd", "mse", run_eagerly=eager)
        return model.fit(x, y, batch_size=4, epochs=3, shuffle=False,
                         verbose=0).history["loss"]

    assert fit(False) == fit(True)
