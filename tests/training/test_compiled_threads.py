"""Compiled steps whose ops slice the batch over threads run with one BLAS thread."""

import numpy as np
import pytest

import baro
from baro.keras import Sequential, layers
from baro.ops import conv_kernels, parallel


def _replays(model):
    compiler = model._step_compiler
    return [r for r in compiler.cache.values() if r is not None]


@pytest.fixture
def data(monkeypatch):
    # Slices of a few samples each, so that even these tiny batches are sliced.
    monkeypatch.setattr(conv_kernels, "SLICE_BYTES", 4096)
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 8, 8, 1)).astype("float32"), rng.integers(0, 3, 32)


def test_a_convnet_step_is_marked_sliced_and_a_dense_one_is_not(data):
    x, y = data
    baro.utils.set_random_seed(0)
    conv = Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                       layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3)])
    conv.compile("adam", baro.losses.SparseCategoricalCrossentropy(from_logits=True))
    conv.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    dense = Sequential([layers.Input((8, 8, 1)), layers.Flatten(), layers.Dense(3)])
    dense.compile("adam", baro.losses.SparseCategoricalCrossentropy(from_logits=True))
    dense.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    conv_replays, dense_replays = _replays(conv), _replays(dense)
    assert conv_replays and all(r.verified and r.sliced for r in conv_replays)
    assert dense_replays and not any(r.sliced for r in dense_replays)


def test_one_blas_thread_is_restored_after_a_sliced_replay(data):
    blas = parallel._blas()
    if blas is None:
        pytest.skip("no OpenBLAS found to control")
    get, _ = blas
    before = get()
    x, y = data
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3), layers.Flatten(),
                        layers.Dense(3)])
    model.compile("sgd", baro.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    model.predict(x, batch_size=16, verbose=0)
    assert any(r.sliced for r in _replays(model))
    assert get() == before
