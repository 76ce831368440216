"""Bidirectional: merge modes, counts, states, masks, config."""

import numpy as np
import pytest

from baro.keras import Input, Sequential
from baro.layers.core.embedding import Embedding
from baro.layers.rnn.bidirectional import Bidirectional
from baro.layers.rnn.gru import GRU
from baro.layers.rnn.lstm import LSTM
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test


def test_standard_checks_and_twice_the_parameters():
    run_layer_test(Bidirectional, {"layer": LSTM(3)}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 6), expected_num_trainable_weights=6,
                   expected_num_params=2 * 108, run_gradient_check=False)
    run_layer_test(Bidirectional, {"layer": GRU(3, return_sequences=True),
                                   "merge_mode": "sum"},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3),
                   expected_num_params=2 * 90, run_gradient_check=False)
    layer = Bidirectional(LSTM(3, dtype="float64"), merge_mode="mul",
                          dtype="float64")
    x = np.random.default_rng(0).standard_normal((2, 4, 5))
    layer(x)
    check_layer_gradients(layer, x)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_merge_modes_combine_forward_and_reversed_backward_outputs(rng, merge_mode):
    layer = Bidirectional(LSTM(3, return_sequences=True), merge_mode=merge_mode)
    x = rng.standard_normal((2, 4, 5)).astype(np.float32)
    out = layer(x)
    y = layer.forward_layer(x).numpy()
    y_rev = layer.backward_layer(x).numpy()[:, ::-1]
    expected = {"concat": np.concatenate([y, y_rev], -1), "sum": y + y_rev,
                "mul": y * y_rev, "ave": (y + y_rev) / 2}.get(merge_mode)
    if merge_mode is None:
        assert_allclose(out[0], y, rtol=1e-6)
        assert_allclose(out[1], y_rev, rtol=1e-6)
    else:
        assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert layer.forward_layer.name.startswith("forward_")


def test_return_state_and_initial_state_halves(rng):
    layer = Bidirectional(LSTM(3, return_state=True))
    x = rng.standard_normal((2, 4, 5)).astype(np.float32)
    out, h_f, c_f, h_b, c_b = layer(x)
    assert out.shape == (2, 6) and h_f.shape == c_b.shape == (2, 3)
    assert_allclose(out[:, :3], h_f)
    states = [np.full((2, 3), v, np.float32) for v in (0.1, 0.2, 0.3, 0.4)]
    changed = layer(x, initial_state=states)
    assert not np.allclose(changed[0].numpy(), out.numpy())
    assert layer.compute_output_shape((None, 4, 5)) == \
        [(None, 6), (None, 3), (None, 3), (None, 3), (None, 3)]


def test_masked_steps_are_zero_in_the_merged_sequence(rng):
    model = Sequential([Input(shape=(4,), dtype="int32"),
                        Embedding(6, 3, mask_zero=True),
                        Bidirectional(GRU(2, return_sequences=True))])
    y = model(np.array([[2, 3, 0, 0]], np.int32)).numpy()
    assert_allclose(y[0, 2:], np.zeros((2, 4)))
    assert np.abs(y[0, :2]).sum() > 0


def test_config_round_trip_with_a_custom_backward_layer(rng):
    layer = Bidirectional(LSTM(3), backward_layer=GRU(3, go_backwards=True))
    clone = Bidirectional.from_config(layer.get_config())
    x = rng.standard_normal((2, 4, 5)).astype(np.float32)
    layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    assert isinstance(clone.backward_layer, GRU)
    assert_allclose(clone(x), layer(x), rtol=1e-6)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="RNN layer instance"):
        Bidirectional("lstm")
    with pytest.raises(ValueError, match="different go_backwards"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    with pytest.raises(ValueError, match="same return_sequences"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2, go_backwards=True,
                                                   return_sequences=True))
    with pytest.raises(AttributeError, match="stateful"):
        Bidirectional(LSTM(2)).reset_states()
