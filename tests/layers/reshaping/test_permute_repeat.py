"""Permute and RepeatVector."""

import numpy as np
import pytest

from baro.layers.core.input_layer import Input
from baro.layers.reshaping.permute import Permute
from baro.layers.reshaping.repeat_vector import RepeatVector
from baro.testing import assert_allclose, run_layer_test


def test_permute_shapes_and_values(rng):
    run_layer_test(Permute, {"dims": (2, 1)}, input_shape=(3, 2, 4),
                   expected_output_shape=(3, 4, 2), expected_num_params=0)
    run_layer_test(Permute, {"dims": (3, 1, 2)}, input_shape=(2, 2, 3, 4),
                   expected_output_shape=(2, 4, 2, 3))
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    assert_allclose(Permute((3, 1, 2))(x), np.transpose(x, (0, 3, 1, 2)))
    assert Permute((2, 1))(Input(shape=(10, 64))).shape == (None, 64, 10)


def test_permute_errors():
    with pytest.raises(ValueError, match="permutation of consecutive axes"):
        Permute((0, 1))
    with pytest.raises(ValueError, match="permutation"):
        Permute((1, 3))
    with pytest.raises(ValueError, match=r"rank 3.*\(2, 3\)"):
        Permute((2, 1))(np.ones((2, 3)))


def test_repeat_vector(rng):
    run_layer_test(RepeatVector, {"n": 3}, input_shape=(2, 4),
                   expected_output_shape=(2, 3, 4), expected_num_params=0)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    assert_allclose(RepeatVector(3)(x), np.repeat(x[:, None], 3, axis=1))
    assert RepeatVector(3)(Input(shape=(32,))).shape == (None, 3, 32)
    assert RepeatVector(np.int64(2)).get_config()["n"] == 2


def test_repeat_vector_errors():
    with pytest.raises(TypeError, match="n must be an integer"):
        RepeatVector(2.5)
    with pytest.raises(ValueError, match=r"2-D.*\(2, 3, 4\)"):
        RepeatVector(2)(np.ones((2, 3, 4)))
