"""The fused sequence ops cut into batch slices (ops/rnn_slices.py).

Every test of test_recurrent.py runs again with SLICE_ROWS = 1, so its batch of
3 is cut in two (one row and two), on two threads: masks, go_backwards,
dropout masks, initial states and gradients all cross the cut. Then: threads do
not change results, and a compiled fit with sliced LSTM/GRU replays eager.
"""

import numpy as np
import pytest

import baro
from baro.keras import Sequential, layers
from baro.ops import parallel, rnn_slices
from baro.ops.recurrent import lstm
from tests.ops.test_recurrent import *  # noqa: F403 (re-run every test, sliced)
from tests.ops.test_recurrent import B
from tests.sliced_fits import assert_sliced_fit_matches_eager


@pytest.fixture(autouse=True)
def sliced(monkeypatch):
    monkeypatch.setattr(rnn_slices, "SLICE_ROWS", 1)
    assert len(rnn_slices.batch_slices(B)) == 2
    parallel.set_threads(2)  # threads even where BLAS cannot be held at one
    yield
    parallel.set_threads(None)


def test_batch_slices_cut_evenly_into_a_power_of_two():
    for n in (2, 3, 7, 64, 1000):
        parts = rnn_slices.batch_slices(n)
        assert len(parts) & (len(parts) - 1) == 0
        assert parts[0].start == 0 and parts[-1].stop == n
        assert all(a.stop == b.start for a, b in zip(parts, parts[1:], strict=False))


def test_threads_do_not_change_results(rng):
    x = rng.standard_normal((8, 6, 4)).astype("float32")

    def run():
        k = baro.Variable(np.full((4, 12), 0.1, "float32"))
        r = baro.Variable(np.full((3, 12), -0.2, "float32"))
        tx = baro.Tensor(x, requires_grad=True)
        out, h, c = lstm(tx, k, r, return_sequences=True)
        ((out * out).sum() + h.sum() + c.sum()).backward()
        return [np.array(t.numpy()) for t in (out, tx.grad, k.grad, r.grad)]

    threaded = run()
    parallel.set_threads(1)
    for a, b in zip(threaded, run(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_compiled_fit_with_sliced_rnns_replays_eager(rng, cell):
    x = rng.standard_normal((24, 5, 3)).astype("float32")
    x[:, -1] = 0.0  # masked last step
    y = rng.integers(0, 2, 24)
    layer = {"lstm": layers.LSTM, "gru": layers.GRU}[cell]

    assert_sliced_fit_matches_eager(
        lambda: Sequential([layers.Input((5, 3)), layers.Masking(0.0),
                            layer(4, dropout=0.2, recurrent_dropout=0.1),
                            layers.Dense(2)]), x, y, batch_size=8)
