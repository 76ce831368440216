"""Masking: the mask of steps whose features all equal mask_value."""

import numpy as np

from baro.keras import Input, Sequential
from baro.layers.core.masking import Masking
from baro.layers.rnn.lstm import LSTM
from baro.testing import assert_allclose, run_layer_test


def test_standard_checks():
    run_layer_test(Masking, {"mask_value": 0.5}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 4, 5), expected_num_params=0)


def test_mask_and_zeroed_outputs():
    x = np.array([[[1, 2], [-1, -1], [0, -1]]], np.float32)
    y = Masking(mask_value=-1.0)(x)
    assert y._keras_mask.numpy().tolist() == [[True, False, True]]
    assert_allclose(y, [[[1, 2], [0, 0], [0, -1]]])


def test_lstm_after_masking_skips_the_masked_steps(rng):
    x = rng.standard_normal((1, 5, 3)).astype(np.float32)
    x[0, 3:] = 0.0
    model = Sequential([Input(shape=(5, 3)), Masking(), LSTM(4)])
    lstm = model.layers[-1]
    assert_allclose(model(x), lstm(x[:, :3]), rtol=1e-5, atol=1e-6)
