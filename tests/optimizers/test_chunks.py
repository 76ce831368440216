"""Chunked elementwise updates give bit-identical results to whole-array ones."""

import numpy as np
import pytest

import baro
from baro.optimizers import chunks


def _train(amsgrad: bool, steps: int = 5) -> list:
    rng = np.random.default_rng(0)
    variables = [baro.Variable(rng.normal(size=shape).astype("float32"))
                 for shape in [(37, 11), (11,), (11, 3)]]
    optimizer = baro.keras.optimizers.Adam(0.01, amsgrad=amsgrad)
    for _ in range(steps):
        grads = [rng.normal(size=v.shape).astype("float32") for v in variables]
        optimizer.apply(grads, variables)
    return [v.numpy() for v in variables]


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_in_small_chunks_equals_adam_on_whole_buffers(monkeypatch, amsgrad):
    whole = _train(amsgrad)
    monkeypatch.setattr(chunks, "CHUNK", 7)  # many chunks, a ragged last one
    chunked = _train(amsgrad)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_array_equal(a, b)


def test_adam_matches_numpy_over_several_chunks(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK", 64)
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(300,)).astype("float32")
    variable = baro.Variable(w0.copy())
    optimizer = baro.keras.optimizers.Adam(0.1)
    w, m, v = w0.astype(np.float64), np.zeros(300), np.zeros(300)
    for t in range(1, 4):
        g = rng.normal(size=300).astype("float32")
        optimizer.apply([g], [variable])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
        alpha = 0.1 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        w = w - alpha * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(variable.numpy(), w, rtol=1e-5, atol=1e-6)


def test_for_chunks_covers_every_element_once_and_writes_in_place(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK", 10)
    a = np.zeros((7, 9), np.float32)
    seen = []

    def update(x, scale):
        seen.append(x.size)
        x += scale

    chunks.for_chunks(update, (a,), 2.0)
    assert seen == [10] * 6 + [3]
    np.testing.assert_array_equal(a, np.full((7, 9), 2.0))


def test_non_contiguous_arrays_are_updated_whole(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK", 4)
    a = np.zeros((6, 6), np.float32).T[:, :5]
    calls = []
    chunks.for_chunks(lambda x: calls.append(x.shape), (a,))
    assert calls == [(6, 5)]
