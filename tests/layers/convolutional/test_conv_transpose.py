"""Conv1DTranspose / Conv2DTranspose: Keras shapes and counts, torch parity."""

import numpy as np
import pytest

import baro
from baro.layers.convolutional.conv1d_transpose import Conv1DTranspose
from baro.layers.convolutional.conv2d_transpose import Conv2DTranspose
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs,input_shape,output_shape,params", [
    # 16 * (3 * 3 * 8) + 16 = 1,168 (Keras).
    (dict(filters=16, kernel_size=3, strides=2, padding="same"), (2, 7, 7, 8),
     (2, 14, 14, 16), 1_168),
    (dict(filters=5, kernel_size=2, strides=2), (2, 4, 4, 3), (2, 8, 8, 5), 65),
    (dict(filters=4, kernel_size=3, strides=(2, 1)), (2, 3, 4, 2), (2, 7, 6, 4),
     76),
    (dict(filters=3, kernel_size=3, strides=2, output_padding=1, padding="same"),
     (2, 3, 3, 2), (2, 6, 6, 3), 57),
    (dict(filters=2, kernel_size=2, dilation_rate=2, padding="same",
          data_format="channels_first", activation="relu"),
     (2, 3, 4, 4), (2, 2, 4, 4), 26),
])
def test_conv2d_transpose_layer_contract(kwargs, input_shape, output_shape, params):
    layer = run_layer_test(Conv2DTranspose, kwargs, input_shape=input_shape,
                           expected_output_shape=output_shape,
                           expected_num_trainable_weights=2,
                           expected_num_non_trainable_weights=0,
                           expected_num_params=params)
    channels = input_shape[1] if kwargs.get("data_format") else input_shape[-1]
    assert layer.kernel.shape == layer.kernel_size + (kwargs["filters"], channels)


@pytest.mark.parametrize("kwargs,input_shape,output_shape,params", [
    (dict(filters=5, kernel_size=2, strides=2), (2, 4, 3), (2, 8, 5), 35),
    (dict(filters=4, kernel_size=3, strides=2, padding="same", output_padding=0),
     (2, 5, 2), (2, 9, 4), 28),
    (dict(filters=2, kernel_size=3, data_format="channels_first"), (2, 3, 4),
     (2, 2, 6), 20),
])
def test_conv1d_transpose_layer_contract(kwargs, input_shape, output_shape, params):
    run_layer_test(Conv1DTranspose, kwargs, input_shape=input_shape,
                   expected_output_shape=output_shape,
                   expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0,
                   expected_num_params=params)


@pytest.mark.parametrize("strides,output_padding", [(2, None), (2, 1), (3, 2),
                                                    (1, None)])
def test_conv2d_transpose_matches_torch(strides, output_padding, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = Conv2DTranspose(4, 3, strides=strides, output_padding=output_padding,
                            activation="tanh", dtype="float64",
                            bias_initializer="random_normal")
    x = rng.standard_normal((2, 4, 5, 3))
    xb = baro.Tensor(x, requires_grad=True)
    with baro.GradientTape() as tape:
        y = layer(xb)
        seed = rng.standard_normal(y.shape)
        loss = baro.reduce_sum(y * seed)
    gx, gk, gb = tape.gradient(loss, [xb, layer.kernel, layer.bias])

    # torch's weight is (in, out, kh, kw); Keras's (kh, kw, out, in).
    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    bt = torch.tensor(layer.bias.numpy(), requires_grad=True)
    out = torch.nn.functional.conv_transpose2d(
        xt.permute(0, 3, 1, 2), kt.permute(3, 2, 0, 1), bt, stride=strides,
        output_padding=0 if output_padding is None else output_padding)
    out = torch.tanh(out).permute(0, 2, 3, 1)
    # Keras: n * s + max(k - s, 0) without output_padding, else (n - 1) * s + k + p.
    expected = [n * strides + max(3 - strides, 0) if output_padding is None
                else (n - 1) * strides + 3 + output_padding for n in (4, 5)]
    assert list(y.shape[1:3]) == expected
    (out * torch.tensor(seed)).sum().backward()
    assert_allclose(y, out.detach().numpy(), atol=1e-10)
    assert_allclose(gx, xt.grad.numpy(), atol=1e-10)
    assert_allclose(gk, kt.grad.numpy(), atol=1e-10)
    assert_allclose(gb, bt.grad.numpy(), atol=1e-10)


def test_conv1d_transpose_matches_torch(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = Conv1DTranspose(3, 4, strides=2, dtype="float64",
                            bias_initializer="random_normal")
    x = rng.standard_normal((2, 5, 2))
    y = layer(x)
    out = torch.nn.functional.conv_transpose1d(
        torch.tensor(x).permute(0, 2, 1),
        torch.tensor(layer.kernel.numpy()).permute(2, 1, 0),
        torch.tensor(layer.bias.numpy()), stride=2)
    assert_allclose(y, out.permute(0, 2, 1).numpy(), atol=1e-10)


def test_conv_transpose_inverts_a_conv_shape():
    from baro.layers.convolutional.conv2d import Conv2D

    x = np.ones((1, 9, 8, 2), np.float32)
    down = Conv2D(4, 3, strides=2, padding="same")(x)
    up = Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=(0, 1))(down)
    assert down.shape == (1, 5, 4, 4)
    assert up.shape == (1, 9, 8, 2)


def test_conv_transpose_compute_output_shape():
    layer = Conv2DTranspose(4, 3, strides=2)
    assert layer.compute_output_shape((None, None, 5, 2)) == (None, None, 11, 4)
    assert Conv1DTranspose(2, 3, strides=2, padding="same").compute_output_shape(
        (1, 6, 3)) == (1, 12, 2)


def test_conv_transpose_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"output_padding must be lower than "
                                         r"strides.*\(2, 2\).*\(2, 2\)"):
        Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"output_padding.*non-negative.*-1"):
        Conv1DTranspose(2, 3, strides=2, output_padding=-1)
    with pytest.raises(ValueError, match=r"Conv2DTranspose: `filters`"):
        Conv2DTranspose(-1, 3)
    with pytest.raises(ValueError, match="padding must be one of"):
        Conv1DTranspose(2, 3, padding="causal")
    layer = Conv2DTranspose(2, 3)
    layer(np.ones((1, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"built for inputs.*3 channels"):
        layer(np.ones((1, 4, 4, 2)))
