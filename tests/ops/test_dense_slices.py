"""The fused dense op on large batches: row slices, possibly on several threads."""

import numpy as np
import pytest

import baro
from baro.keras import Sequential, layers
from baro.ops import dense as dense_module
from baro.ops import parallel
from baro.ops.nn import dense
from baro.testing import assert_allclose, gradcheck
from tests.sliced_fits import assert_sliced_fit_matches_eager

ACTIVATIONS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0),
               "tanh": np.tanh}


def test_row_slices_are_a_power_of_two_of_equal_cuts_covering_the_batch():
    assert dense_module.row_slices(2 * dense_module.SLICE_ROWS - 1) is None
    for n in (512, 1000, 1023, 1024, 5000, 60_000):
        parts = dense_module.row_slices(n)
        count = len(parts)
        assert count & (count - 1) == 0 and count >= 2
        assert parts[0].start == 0 and parts[-1].stop == n
        assert all(a.stop == b.start for a, b in zip(parts, parts[1:], strict=False))
        sizes = [p.stop - p.start for p in parts]
        assert max(sizes) - min(sizes) <= 1 and min(sizes) >= dense_module.SLICE_ROWS


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(dense_module, "SLICE_ROWS", 4)  # 37 rows -> 8 slices


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh"])
def test_sliced_dense_matches_numpy_and_finite_differences(small_slices, activation):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(37, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    assert len(dense_module.row_slices(37)) == 8
    assert_allclose(dense(x, w, b, activation), ACTIVATIONS[activation](x @ w + b),
                    rtol=1e-12)
    gradcheck(lambda x, w, b: dense(x, w, b, activation), x, w, b)
    gradcheck(lambda x, w: dense(x, w, activation=activation), x, w)


def test_sliced_dense_on_sequences_and_without_input_gradient(small_slices):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 7, 4))
    w = baro.Variable(rng.normal(size=(4, 2)))
    y = dense(x, w, activation="tanh")
    assert y.shape == (6, 7, 2)
    y.sum().backward()
    expected = x.reshape(-1, 4).T @ (1 - np.tanh(x.reshape(-1, 4) @ w.numpy()) ** 2)
    assert_allclose(w.grad, expected, rtol=1e-10)


def test_threads_do_not_change_the_results(small_slices):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 9)).astype("float32")
    w = rng.normal(size=(9, 5)).astype("float32")

    def run():
        tw = baro.Variable(w)
        tx = baro.Tensor(x, requires_grad=True)
        (dense(tx, tw, activation="relu") ** 2).sum().backward()
        return np.array(tx.grad.numpy()), np.array(tw.grad.numpy())

    serial = run()
    with parallel.one_blas_thread():
        parallel.set_threads(2)
        try:
            threaded = run()
        finally:
            parallel.set_threads(None)
    for a, b in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_sliced_fit_replays_bit_identically_to_eager(small_slices):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(96, 6)).astype("float32")
    y = rng.integers(0, 3, 96)
    assert_sliced_fit_matches_eager(
        lambda: Sequential([layers.Input((6,)), layers.Dense(16, activation="relu"),
                            layers.Dense(3)]), x, y, batch_size=32)
