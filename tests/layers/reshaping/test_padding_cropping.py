"""ZeroPadding1D/2D and Cropping1D/2D."""

import numpy as np
import pytest

from baro.layers.core.input_layer import Input
from baro.layers.reshaping.cropping1d import Cropping1D
from baro.layers.reshaping.cropping2d import Cropping2D
from baro.layers.reshaping.zero_padding1d import ZeroPadding1D
from baro.layers.reshaping.zero_padding2d import ZeroPadding2D
from baro.testing import assert_allclose, run_layer_test


@pytest.mark.parametrize("kwargs, shape, expected", [
    ({}, (2, 3, 4), (2, 5, 4)),
    ({"padding": (1, 2)}, (2, 3, 4), (2, 6, 4)),
    ({"padding": 2, "data_format": "channels_first"}, (2, 3, 4), (2, 3, 8)),
])
def test_zero_padding1d(rng, kwargs, shape, expected):
    run_layer_test(ZeroPadding1D, kwargs, input_shape=shape,
                   expected_output_shape=expected, expected_num_params=0)
    x = rng.standard_normal(shape).astype(np.float32)
    pad = kwargs.get("padding", 1)
    pad = (pad, pad) if isinstance(pad, int) else pad
    widths = [(0, 0), pad, (0, 0)]
    if kwargs.get("data_format") == "channels_first":
        widths = [(0, 0), (0, 0), pad]
    assert_allclose(ZeroPadding1D(**kwargs)(x), np.pad(x, widths))


@pytest.mark.parametrize("padding, widths", [
    ((1, 1), ((1, 1), (1, 1))),
    (2, ((2, 2), (2, 2))),
    ((1, 2), ((1, 1), (2, 2))),
    (((1, 0), (0, 3)), ((1, 0), (0, 3))),
])
def test_zero_padding2d(rng, padding, widths):
    x = rng.standard_normal((2, 3, 4, 2)).astype(np.float32)
    out = (2, 3 + sum(widths[0]), 4 + sum(widths[1]), 2)
    run_layer_test(ZeroPadding2D, {"padding": padding}, input_shape=x.shape,
                   expected_output_shape=out, expected_num_params=0)
    assert_allclose(ZeroPadding2D(padding)(x), np.pad(x, ((0, 0), *widths, (0, 0))))
    cf = ZeroPadding2D(padding, data_format="channels_first")(np.moveaxis(x, 3, 1))
    assert_allclose(cf, np.pad(np.moveaxis(x, 3, 1), ((0, 0), (0, 0), *widths)))


def test_keras_zero_padding2d_example():
    x = np.arange(4.0).reshape((1, 1, 2, 2))
    y = ZeroPadding2D(padding=1)(x).numpy()
    assert y.shape == (1, 3, 4, 2)
    assert_allclose(y[0, 1], [[0, 0], [0, 1], [2, 3], [0, 0]])
    assert ZeroPadding2D(1)(Input(shape=(None, 5, 3))).shape == (None, None, 7, 3)


def test_padding_errors():
    with pytest.raises(ValueError, match="non-negative"):
        ZeroPadding1D(-1)
    with pytest.raises(ValueError, match="tuple of 2"):
        ZeroPadding1D((1, 2, 3))
    with pytest.raises(ValueError, match=r"\(\(top, bottom\), \(left, right\)\)"):
        ZeroPadding2D(((1, 2), (3,)))
    with pytest.raises(ValueError, match="4-D"):
        ZeroPadding2D()(np.ones((2, 3, 4)))


def test_cropping1d(rng):
    run_layer_test(Cropping1D, {}, input_shape=(2, 5, 3),
                   expected_output_shape=(2, 3, 3), expected_num_params=0)
    run_layer_test(Cropping1D, {"cropping": (0, 2)}, input_shape=(2, 5, 3),
                   expected_output_shape=(2, 3, 3))
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    assert_allclose(Cropping1D((2, 1))(x), x[:, 2:5])
    assert_allclose(Cropping1D(2)(x), x[:, 2:4])
    with pytest.raises(ValueError, match="at least one step"):
        Cropping1D((3, 3))(x)
    with pytest.raises(ValueError, match="non-negative"):
        Cropping1D(-1)


@pytest.mark.parametrize("cropping, crops", [
    (((2, 2), (4, 4)), ((2, 2), (4, 4))),
    (1, ((1, 1), (1, 1))),
    ((0, 2), ((0, 0), (2, 2))),
    (((1, 0), (0, 3)), ((1, 0), (0, 3))),
])
def test_cropping2d(rng, cropping, crops):
    x = rng.standard_normal((2, 8, 10, 2)).astype(np.float32)
    (top, bottom), (left, right) = crops
    out = (2, 8 - top - bottom, 10 - left - right, 2)
    run_layer_test(Cropping2D, {"cropping": cropping}, input_shape=x.shape,
                   expected_output_shape=out, expected_num_params=0)
    ref = x[:, top:8 - bottom, left:10 - right]
    assert_allclose(Cropping2D(cropping)(x), ref)
    cf = Cropping2D(cropping, data_format="channels_first")(np.moveaxis(x, 3, 1))
    assert_allclose(cf, np.moveaxis(ref, 3, 1))


def test_cropping2d_keras_example_and_errors():
    assert Cropping2D(((2, 2), (4, 4)))(np.ones((2, 28, 28, 3))).shape == \
        (2, 24, 20, 3)
    assert Cropping2D()(np.ones((1, 2, 2, 1))).shape == (1, 2, 2, 1)
    with pytest.raises(ValueError, match="smaller than the rows"):
        Cropping2D(((2, 2), (0, 0)))(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="smaller than the rows"):
        Cropping2D(((2, 2), (0, 0))).compute_output_shape((None, 3, 5, 1))
    with pytest.raises(ValueError, match="tuple of 2 tuples"):
        Cropping2D((1, 2, 3))
