"""Rescaling: Keras harness, values, per-channel scales, dtypes, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.rescaling import Rescaling
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs", [{"scale": 1 / 255}, {"scale": 2.0, "offset": -1.0},
                                    {"scale": [1.0, 0.5, 0.25], "offset": [0, 1, 2]}])
def test_layer(kwargs):
    run_layer_test(Rescaling, kwargs, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, expected_num_params=0)


def test_values_and_dtypes():
    x = np.array([[0, 51, 255]], "uint8")
    y = Rescaling(1 / 255)(x)
    assert y.dtype == np.float32
    assert_allclose(y, [[0.0, 0.2, 1.0]])
    assert_allclose(Rescaling(1 / 127.5, offset=-1)(x), [[-1.0, -0.6, 1.0]])
    per_channel = Rescaling([1.0, 10.0], offset=[0.5, 0.0])(np.ones((2, 2), "float32"))
    assert_allclose(per_channel, [[1.5, 10.0], [1.5, 10.0]])
    assert Rescaling(2.0, dtype="float64")(x).dtype == np.float64


def test_config_is_json_ready():
    config = Rescaling(np.array([1.0, 2.0]), offset=np.float32(0.5)).get_config()
    assert config["scale"] == [1.0, 2.0] and config["offset"] == 0.5


def test_bad_scale():
    with pytest.raises(TypeError, match="Rescaling: scale must be a number"):
        Rescaling("half")
