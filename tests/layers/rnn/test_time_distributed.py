"""TimeDistributed: one layer applied to every timestep."""

import numpy as np
import pytest

from baro.keras import Input, Sequential
from baro.layers.core.dense import Dense
from baro.layers.core.masking import Masking
from baro.layers.rnn.time_distributed import TimeDistributed
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test


def test_standard_checks_and_shared_weights():
    run_layer_test(TimeDistributed, {"layer": Dense(3)}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=2,
                   expected_num_params=18, run_gradient_check=False)
    layer = TimeDistributed(Dense(3, dtype="float64"), dtype="float64")
    x = np.random.default_rng(0).standard_normal((2, 4, 5))
    layer(x)
    check_layer_gradients(layer, x)


def test_dense_over_each_step_matches_a_loop(rng):
    dense = Dense(3, activation="relu")
    layer = TimeDistributed(dense)
    x = rng.standard_normal((2, 4, 5)).astype(np.float32)
    y = layer(x)
    for t in range(4):
        assert_allclose(y[:, t], dense(x[:, t]), rtol=1e-6)
    assert layer.compute_output_shape((None, 4, 5)) == (None, 4, 3)
    assert layer.compute_output_shape((None, 7, 2, 5)) == (None, 7, 2, 3)


def test_mask_passes_through():
    model = Sequential([Input(shape=(3, 2)), Masking(), TimeDistributed(Dense(4))])
    x = np.array([[[1, 2], [0, 0], [3, 4]]], np.float32)
    assert model(x)._keras_mask.numpy().tolist() == [[True, False, True]]


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="must be a Layer instance"):
        TimeDistributed("dense")
    with pytest.raises(ValueError, match="rank >= 3"):
        TimeDistributed(Dense(2))(np.zeros((2, 3), np.float32))
