"""Depthwise and separable convolutions (1-D and 2-D): counts, torch parity."""

import numpy as np
import pytest

import baro
from baro.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from baro.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from baro.layers.convolutional.separable_conv1d import SeparableConv1D
from baro.layers.convolutional.separable_conv2d import SeparableConv2D
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("cls,kwargs,input_shape,output_shape,params", [
    # 32 * 9 + 32 = 320 (Keras).
    (DepthwiseConv2D, dict(kernel_size=3), (1, 5, 5, 32), (1, 3, 3, 32), 320),
    # Keras's depthwise_conv_test.py configurations.
    (DepthwiseConv2D, dict(depth_multiplier=5, kernel_size=2), (3, 5, 5, 4),
     (3, 4, 4, 20), 100),
    (DepthwiseConv2D, dict(depth_multiplier=6, kernel_size=2, padding="same",
                           dilation_rate=(2, 2)), (3, 4, 4, 4), (3, 4, 4, 24), 120),
    (DepthwiseConv2D, dict(depth_multiplier=2, kernel_size=(2, 2), strides=(2, 1),
                           data_format="channels_first", activation="relu"),
     (3, 4, 5, 5), (3, 8, 2, 4), 40),
    (DepthwiseConv1D, dict(depth_multiplier=5, kernel_size=2), (3, 5, 4),
     (3, 4, 20), 60),
    (DepthwiseConv1D, dict(kernel_size=3, strides=2, depth_multiplier=3),
     (2, 10, 3), (2, 4, 9), 36),
    # 32 * 9 + 32 * 64 + 64 = 2,400 (Keras).
    (SeparableConv2D, dict(filters=64, kernel_size=3), (1, 5, 5, 32),
     (1, 3, 3, 64), 2_400),
    (SeparableConv2D, dict(filters=5, kernel_size=2, depth_multiplier=2,
                           padding="same", strides=2), (3, 5, 5, 4), (3, 3, 3, 5),
     77),
    (SeparableConv2D, dict(filters=3, kernel_size=2, data_format="channels_first",
                           dilation_rate=2, activation="relu"), (2, 2, 5, 5),
     (2, 3, 3, 3), 17),
    (SeparableConv1D, dict(filters=5, kernel_size=2, depth_multiplier=2),
     (3, 5, 4), (3, 4, 5), 61),
    (SeparableConv1D, dict(filters=4, kernel_size=3, strides=2, padding="same"),
     (2, 7, 3), (2, 4, 4), 25),
])
def test_layer_contract(cls, kwargs, input_shape, output_shape, params):
    layer = run_layer_test(cls, kwargs, input_shape=input_shape,
                           expected_output_shape=output_shape,
                           expected_num_trainable_weights=2 if "Depthwise" in
                           cls.__name__ else 3,
                           expected_num_non_trainable_weights=0,
                           expected_num_params=params)
    names = [w.name for w in layer.weights]
    if cls in (DepthwiseConv1D, DepthwiseConv2D):
        assert names == ["kernel", "bias"]
    else:
        assert names == ["depthwise_kernel", "pointwise_kernel", "bias"]


def _torch_depthwise(torch, x, kernel, rank):
    """NHWC/NWC depthwise conv through torch (groups = in_channels)."""
    spatial, (c, m) = kernel.shape[:-2], kernel.shape[-2:]
    # Output channel c * m + j uses kernel[..., c, j], as in Keras.
    weight = kernel.reshape(spatial + (c * m,))
    weight = weight.permute(rank, *range(rank)).unsqueeze(1)
    conv = torch.nn.functional.conv2d if rank == 2 else torch.nn.functional.conv1d
    out = conv(x.movedim(-1, 1), weight, groups=c)
    return out.movedim(1, -1)


@pytest.mark.parametrize("cls,shape", [(DepthwiseConv2D, (2, 6, 5, 3)),
                                       (DepthwiseConv1D, (2, 7, 3))])
def test_depthwise_matches_torch(cls, shape, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = cls(kernel_size=2, depth_multiplier=2, dtype="float64",
                bias_initializer="random_normal")
    x = rng.standard_normal(shape)
    xb = baro.Tensor(x, requires_grad=True)
    with baro.GradientTape() as tape:
        y = layer(xb)
        seed = rng.standard_normal(y.shape)
        loss = baro.reduce_sum(y * seed)
    gx, gk = tape.gradient(loss, [xb, layer.kernel])
    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    out = _torch_depthwise(torch, xt, kt, len(shape) - 2) + \
        torch.tensor(layer.bias.numpy())
    (out * torch.tensor(seed)).sum().backward()
    assert_allclose(y, out.detach().numpy(), atol=1e-10)
    assert_allclose(gx, xt.grad.numpy(), atol=1e-10)
    assert_allclose(gk, kt.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("cls,shape", [(SeparableConv2D, (2, 6, 5, 3)),
                                       (SeparableConv1D, (2, 7, 3))])
def test_separable_is_depthwise_then_pointwise(cls, shape, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = cls(4, 2, depth_multiplier=2, activation="relu", dtype="float64",
                bias_initializer="random_normal")
    x = rng.standard_normal(shape)
    y = layer(x)
    depthwise, pointwise, bias = (torch.tensor(w) for w in layer.get_weights())
    z = _torch_depthwise(torch, torch.tensor(x), depthwise, len(shape) - 2)
    expected = torch.relu(z @ pointwise.reshape(pointwise.shape[-2:]) + bias)
    assert_allclose(y, expected.numpy(), atol=1e-10)


def test_depthwise_channels_first_matches_channels_last(rng):
    last = DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    first = DepthwiseConv2D(3, depth_multiplier=2, padding="same",
                            data_format="channels_first")
    x = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)
    y = last(x)
    first(np.moveaxis(x, -1, 1))
    first.set_weights(last.get_weights())
    assert_allclose(first(np.moveaxis(x, -1, 1)), np.moveaxis(y.numpy(), -1, 1),
                    rtol=1e-5, atol=1e-6)


def test_compute_output_shape():
    assert DepthwiseConv2D(3, depth_multiplier=2).compute_output_shape(
        (None, 8, None, 3)) == (None, 6, None, 6)
    assert SeparableConv1D(4, 3, strides=2).compute_output_shape((1, 9, 2)) == \
        (1, 4, 4)


def test_depthwise_and_separable_reject_bad_arguments():
    with pytest.raises(ValueError, match=r"DepthwiseConv2D: `depth_multiplier`.*0"):
        DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match=r"SeparableConv2D: `filters`"):
        SeparableConv2D(0, 3)
    with pytest.raises(ValueError, match="strides > 1 is not supported together"):
        SeparableConv1D(2, 3, strides=2, dilation_rate=2)
    layer = DepthwiseConv2D(3)
    layer(np.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"built for inputs.*3 channels.*"
                                         r"\(1, 5, 5, 4\)"):
        layer(np.ones((1, 5, 5, 4)))
