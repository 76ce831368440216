"""UpSampling1D and UpSampling2D (nearest and bilinear)."""

import numpy as np
import pytest

from baro.layers.core.input_layer import Input
from baro.layers.reshaping.up_sampling1d import UpSampling1D
from baro.layers.reshaping.up_sampling2d import UpSampling2D
from baro.testing import assert_allclose, run_layer_test


def test_up_sampling1d(rng):
    run_layer_test(UpSampling1D, {"size": 2}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 6, 4), expected_num_params=0)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    assert_allclose(UpSampling1D(3)(x), np.repeat(x, 3, axis=1))
    assert UpSampling1D(4)(Input(shape=(None, 5))).shape == (None, None, 5)
    with pytest.raises(ValueError, match="size must be >= 1"):
        UpSampling1D(0)
    with pytest.raises(ValueError, match="3-D"):
        UpSampling1D()(np.ones((2, 3)))


@pytest.mark.parametrize("kwargs, shape, expected", [
    ({}, (2, 3, 4, 2), (2, 6, 8, 2)),
    ({"size": (1, 3), "data_format": "channels_first"}, (2, 2, 3, 4), (2, 2, 3, 12)),
    ({"size": 2, "interpolation": "bilinear"}, (2, 3, 4, 2), (2, 6, 8, 2)),
    ({"size": (3, 2), "interpolation": "bilinear", "data_format":
      "channels_first"}, (2, 2, 3, 4), (2, 2, 9, 8)),
])
def test_up_sampling2d_harness(kwargs, shape, expected):
    run_layer_test(UpSampling2D, kwargs, input_shape=shape,
                   expected_output_shape=expected, expected_num_params=0)


def test_nearest_repeats_rows_and_columns(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    y = UpSampling2D((2, 3))(x)
    assert_allclose(y, np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))
    cf = UpSampling2D((2, 3), data_format="channels_first")(np.moveaxis(x, 3, 1))
    assert_allclose(np.moveaxis(cf.numpy(), 1, 3), y)


def _bilinear_axis(x, axis, factor):
    """Half-pixel linear upsampling along one axis, written out per index."""
    n = x.shape[axis]
    out = []
    for o in range(n * factor):
        c = min(max((o + 0.5) / factor - 0.5, 0.0), n - 1)
        lo = int(np.floor(c))
        hi = min(lo + 1, n - 1)
        t = c - lo
        out.append((1 - t) * np.take(x, lo, axis) + t * np.take(x, hi, axis))
    return np.stack(out, axis=axis)


@pytest.mark.parametrize("size", [(2, 2), (3, 2), (1, 4), (2, 1)])
def test_bilinear_matches_numpy_reference(rng, size):
    x = rng.standard_normal((2, 3, 4, 2))
    ref = _bilinear_axis(_bilinear_axis(x, 1, size[0]), 2, size[1])
    y = UpSampling2D(size, interpolation="bilinear", dtype="float64")(x)
    assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


def test_bilinear_matches_torch(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    y = UpSampling2D((3, 2), data_format="channels_first",
                     interpolation="Bilinear")(x)
    ref = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=(3, 2),
                                          mode="bilinear", align_corners=False)
    assert_allclose(y, ref.numpy(), rtol=1e-5, atol=1e-6)


def test_bilinear_on_a_single_pixel_repeats_it():
    y = UpSampling2D(2, interpolation="bilinear")(np.full((1, 1, 1, 2), 3.0))
    assert_allclose(y, np.full((1, 2, 2, 2), 3.0))


def test_up_sampling2d_errors():
    with pytest.raises(ValueError, match="'nearest' or 'bilinear'.*does not"):
        UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="size must be a positive int"):
        UpSampling2D(size=(2, 0))
    with pytest.raises(ValueError, match="data_format"):
        UpSampling2D(data_format="NHWC")
    with pytest.raises(ValueError, match="4-D"):
        UpSampling2D()(np.ones((2, 3, 4)))
