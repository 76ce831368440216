"""run_layer_test passes good layers and catches broken ones."""

import numpy as np
import pytest

from baro import ops
from baro.keras import layers
from baro.testing import check_layer_gradients, run_layer_test


def test_dense_passes_all_checks():
    run_layer_test(layers.Dense, {"units": 3, "activation": "tanh"},
                   input_shape=(4, 5), expected_output_shape=(4, 3),
                   expected_num_trainable_weights=2, expected_num_params=18)


def test_wrong_param_count_is_reported():
    with pytest.raises(AssertionError, match="params"):
        run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 5),
                       expected_num_params=17, run_gradient_check=False,
                       run_training_check=False)


def test_a_wrong_gradient_is_caught():
    from baro.core import Function

    class Wrong(Function):
        def forward(self, x):
            return x * 2

        def backward(self, g):
            return g * 3  # should be 2

    class Broken(layers.Layer):
        def call(self, x):
            return ops.add(Wrong().apply(x), 0.0)

    with pytest.raises(AssertionError, match="gradient of input 0"):
        check_layer_gradients(Broken(dtype="float64"), np.ones((2, 2)))
