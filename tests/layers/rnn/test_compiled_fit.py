"""Recurrent layers in fit's compiled step: step masks and dropout masks are op
inputs, so a replayed step sees each batch's mask and fresh dropout draws, and
gives exactly what eager steps give."""

import numpy as np
import pytest

import baro
from baro import layers
from baro.layers.rnn.rnn import RNN
from baro.layers.rnn.simple_rnn import SimpleRNNCell


def _padded_ids(rng, n=48, steps=7, vocab=20):
    ids = rng.integers(1, vocab, (n, steps))
    for row, length in zip(ids, rng.integers(1, steps + 1, n), strict=True):
        row[length:] = 0  # a different padding in every batch
    return ids


def _fit(build, x, y, eager):
    baro.utils.set_random_seed(3)
    model = build()
    model.compile("adam", "mse", run_eagerly=eager)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model, history.history


def _assert_compiled_matches_eager(build, x, y, exact=True):
    eager, eager_history = _fit(build, x, y, True)
    model, history = _fit(build, x, y, False)
    for a, b in zip(model.get_weights(), eager.get_weights(), strict=True):
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    if exact:
        assert history == eager_history
    verified = [r for r in model._step_compiler.cache.values()
                if r is not None and r.verified]
    assert verified, model._step_compiler.reasons


MASKED = {
    "lstm": lambda: layers.LSTM(5),
    "gru_reset_after": lambda: layers.GRU(5),
    "gru_reset_before_sequences": lambda: layers.GRU(
        5, reset_after=False, return_sequences=True, go_backwards=True),
    "bidirectional_gru": lambda: layers.Bidirectional(layers.GRU(3)),
    "simple_rnn": lambda: layers.SimpleRNN(5),
    "generic_rnn": lambda: RNN(SimpleRNNCell(4)),
}


@pytest.mark.parametrize("name", sorted(MASKED))
def test_padding_mask_is_recomputed_for_each_batch(rng, name):
    ids = _padded_ids(rng)
    y = rng.random((len(ids), 1)).astype("float32")

    def build():
        rnn = MASKED[name]()
        tail = [layers.Flatten()] if name.endswith("sequences") else []
        return baro.keras.Sequential([
            layers.Input((ids.shape[1],)), layers.Embedding(20, 4, mask_zero=True),
            rnn, *tail, layers.Dense(1)])

    # The generic RNN's graph fans out (one slice per step); its gradient sums
    # may be added in another order on replay than by the eager engine.
    _assert_compiled_matches_eager(build, ids, y, exact=name != "generic_rnn")


DROPOUT = {
    "lstm_per_gate_masks": lambda: layers.LSTM(5, dropout=0.3,
                                               recurrent_dropout=0.2),
    "lstm_input_mask": lambda: layers.LSTM(5, dropout=0.3),
    "gru_input_mask": lambda: layers.GRU(5, dropout=0.3),
    "gru_per_gate_masks": lambda: layers.GRU(5, dropout=0.2, recurrent_dropout=0.3,
                                             reset_after=False),
    "simple_rnn": lambda: layers.SimpleRNN(5, dropout=0.3, recurrent_dropout=0.3),
}


@pytest.mark.parametrize("name", sorted(DROPOUT))
def test_dropout_masks_are_drawn_anew_for_each_batch(rng, name):
    x = rng.random((48, 6, 3)).astype("float32")
    y = rng.random((48, 1)).astype("float32")

    def build():
        return baro.keras.Sequential([layers.Input((6, 3)), DROPOUT[name](),
                                      layers.Dense(1)])

    _assert_compiled_matches_eager(build, x, y)
