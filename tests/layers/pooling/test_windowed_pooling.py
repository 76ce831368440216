"""MaxPooling1D/2D and AveragePooling1D/2D: Keras shapes, references, torch."""

import numpy as np
import pytest

import baro
from baro.layers.pooling.average_pooling1d import AveragePooling1D
from baro.layers.pooling.average_pooling2d import AveragePooling2D
from baro.layers.pooling.max_pooling1d import MaxPooling1D
from baro.layers.pooling.max_pooling2d import MaxPooling2D
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


def _distinct(shape, seed=0):
    """Distinct values, so every window has a single maximum."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(np.prod(shape)).reshape(shape) * 0.01 - 1.0) \
        .astype(np.float32)


@pytest.mark.parametrize("cls,kwargs,input_shape,output_shape", [
    # Keras's max_pooling_test.py / average_pooling_test.py configurations.
    (MaxPooling1D, dict(pool_size=2, strides=1, padding="valid"), (3, 5, 4),
     (3, 4, 4)),
    (MaxPooling1D, dict(pool_size=2, strides=2, padding="same"), (3, 5, 4),
     (3, 3, 4)),
    (MaxPooling1D, dict(pool_size=2, padding="valid", data_format="channels_first"),
     (3, 5, 4), (3, 5, 2)),
    (MaxPooling2D, dict(pool_size=2, strides=1, padding="valid"), (3, 5, 6, 4),
     (3, 4, 5, 4)),
    (MaxPooling2D, dict(pool_size=2, strides=2, padding="same"), (3, 5, 6, 4),
     (3, 3, 3, 4)),
    (MaxPooling2D, dict(pool_size=(2, 3), padding="valid",
                        data_format="channels_first"), (3, 5, 6, 4), (3, 5, 3, 1)),
    (MaxPooling2D, dict(), (2, 26, 26, 3), (2, 13, 13, 3)),
    (AveragePooling1D, dict(pool_size=2, strides=1, padding="valid"), (3, 5, 4),
     (3, 4, 4)),
    (AveragePooling1D, dict(pool_size=3, strides=2, padding="same"), (3, 5, 4),
     (3, 3, 4)),
    (AveragePooling2D, dict(pool_size=2, strides=1, padding="valid"),
     (3, 5, 6, 4), (3, 4, 5, 4)),
    (AveragePooling2D, dict(pool_size=(3, 3), strides=(2, 2), padding="same"),
     (3, 5, 6, 4), (3, 3, 3, 4)),
    (AveragePooling2D, dict(pool_size=2, data_format="channels_first"),
     (3, 4, 5, 6), (3, 4, 2, 3)),
])
def test_pooling_layer_contract(cls, kwargs, input_shape, output_shape):
    layer = run_layer_test(cls, kwargs, input_data=_distinct(input_shape),
                           expected_output_shape=output_shape,
                           expected_num_trainable_weights=0,
                           expected_num_non_trainable_weights=0,
                           expected_num_params=0)
    assert layer.compute_output_shape(input_shape) == output_shape


def _windows(x, size, strides):
    """(n, oh, ow, c, kh * kw) windows of an NHWC array (valid padding)."""
    n, h, w, c = x.shape
    oh, ow = (h - size[0]) // strides[0] + 1, (w - size[1]) // strides[1] + 1
    out = np.empty((n, oh, ow, c, size[0] * size[1]), x.dtype)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]:i * strides[0] + size[0],
                      j * strides[1]:j * strides[1] + size[1]]
            out[:, i, j] = patch.reshape(n, -1, c).transpose(0, 2, 1)
    return out


@pytest.mark.parametrize("size,strides", [((2, 2), None), ((3, 2), (2, 1)),
                                          ((2, 2), (1, 1))])
def test_pooling_2d_matches_numpy(size, strides):
    x = _distinct((2, 7, 6, 3))
    windows = _windows(x, size, strides or size)
    assert_allclose(MaxPooling2D(size, strides)(x), windows.max(-1))
    assert_allclose(AveragePooling2D(size, strides)(x), windows.mean(-1), rtol=1e-5,
                    atol=1e-6)


def test_pooling_1d_matches_numpy():
    x = _distinct((2, 9, 3))
    windows = _windows(x[:, None], (1, 3), (1, 2))[:, 0]
    assert_allclose(MaxPooling1D(3, 2)(x), windows.max(-1))
    assert_allclose(AveragePooling1D(3, 2)(x), windows.mean(-1), rtol=1e-5,
                    atol=1e-6)


def test_same_padding_leaves_padded_cells_out():
    x = -np.ones((1, 3, 3, 1), np.float32)
    assert_allclose(MaxPooling2D(2, padding="same")(x), -np.ones((1, 2, 2, 1)))
    y = AveragePooling1D(3, strides=1, padding="same")(
        np.array([[[3.0], [6.0], [9.0]]], np.float32))
    assert_allclose(y[0, :, 0], [4.5, 6.0, 7.5])


@pytest.mark.parametrize("cls,fn", [(MaxPooling2D, "max_pool2d"),
                                    (AveragePooling2D, "avg_pool2d")])
@pytest.mark.parametrize("size,strides", [(2, None), (3, 2)])
def test_pooling_2d_matches_torch(cls, fn, size, strides):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = _distinct((2, 9, 7, 3)).astype(np.float64)
    xb = baro.Tensor(x, requires_grad=True)
    y = cls(size, strides, dtype="float64")(xb)
    seed = np.random.default_rng(1).standard_normal(y.shape)
    (y * seed).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    out = getattr(torch.nn.functional, fn)(xt.permute(0, 3, 1, 2), size,
                                           strides or size).permute(0, 2, 3, 1)
    (out * torch.tensor(seed)).sum().backward()
    assert_allclose(y, out.detach().numpy(), atol=1e-12)
    assert_allclose(xb.grad, xt.grad.numpy(), atol=1e-12)


def test_max_pooling_gradient_goes_to_the_first_maximum():
    x = baro.Tensor(np.zeros((1, 2, 4, 1), np.float32), requires_grad=True)
    MaxPooling2D()(x).sum().backward()
    assert_allclose(x.grad[0, :, :, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])


def test_pooling_channels_first_matches_channels_last():
    x = _distinct((2, 6, 5, 3))
    for cls in (MaxPooling2D, AveragePooling2D):
        first = cls(2, data_format="channels_first")(np.moveaxis(x, -1, 1))
        assert_allclose(first, np.moveaxis(cls(2)(x).numpy(), -1, 1))


def test_pooling_rejects_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"MaxPooling2D: pool_size must be an int "
                                         r"or a tuple of 2 ints.*\(2, 2, 2\)"):
        MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="AveragePooling1D: strides must be "
                                         "positive"):
        AveragePooling1D(2, strides=0)
    with pytest.raises(ValueError, match="MaxPooling1D: padding must be 'valid' "
                                         "or 'same'.*'causal'"):
        MaxPooling1D(padding="causal")
    with pytest.raises(ValueError, match="data_format"):
        AveragePooling2D(data_format="NCHW")
    with pytest.raises(ValueError, match=r"expects inputs of rank 4.*\(2, 5, 3\)"):
        MaxPooling2D()(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match="larger than the inputs' spatial size"):
        MaxPooling2D(4)(np.ones((1, 3, 3, 1)))
