"""SpatialDropout1D/2D: whole channels dropped, only in training."""

import numpy as np
import pytest

from baro.layers.regularization.dropout import Dropout
from baro.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
)
from baro.testing import assert_allclose, run_layer_test


def test_harness():
    run_layer_test(SpatialDropout1D, {"rate": 0.5}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_params=0)
    run_layer_test(SpatialDropout2D, {"rate": 0.5, "data_format": "channels_first"},
                   input_shape=(2, 3, 4, 5), expected_output_shape=(2, 3, 4, 5))
    assert isinstance(SpatialDropout1D(0.1), Dropout)  # as Keras's
    assert "noise_shape" not in SpatialDropout1D(0.1).get_config()


def test_1d_drops_whole_channels_in_training_only():
    x = np.ones((20, 7, 16), np.float32)
    layer = SpatialDropout1D(0.5, seed=3)
    assert_allclose(layer(x), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y).tolist()) == {0.0, 2.0}
    assert (y == y[:, :1, :]).all()  # one decision per (sample, channel)
    assert 0.3 < (y[:, 0] == 0).mean() < 0.7


@pytest.mark.parametrize("data_format, channel_axis", [("channels_last", 3),
                                                       ("channels_first", 1)])
def test_2d_drops_whole_feature_maps(data_format, channel_axis):
    shape = [10, 5, 5, 5]
    shape[channel_axis] = 8
    x = np.ones(shape, np.float32)
    layer = SpatialDropout2D(0.25, data_format=data_format, seed=1)
    y = layer(x, training=True).numpy()
    maps = np.moveaxis(y, channel_axis, 1).reshape(10, 8, -1)
    assert (maps == maps[:, :, :1]).all()
    assert set(np.unique(y).tolist()) == {0.0, np.float32(1 / 0.75)}


def test_errors():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        SpatialDropout1D(1.5)
    with pytest.raises(ValueError, match=r"3-D.*\(2, 3\)"):
        SpatialDropout1D(0.5)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="4-D"):
        SpatialDropout2D(0.5)(np.ones((2, 3, 4)), training=True)
    with pytest.raises(ValueError, match="data_format"):
        SpatialDropout2D(0.5, data_format="NCHW")
