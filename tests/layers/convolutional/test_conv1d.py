"""Conv1D: Keras shapes and counts, causal padding, torch parity, errors."""

import numpy as np
import pytest

import baro
from baro.layers.convolutional.conv1d import Conv1D
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs,input_shape,output_shape,params", [
    # Keras's conv_test.py configurations.
    (dict(filters=5, kernel_size=2), (3, 5, 4), (3, 4, 5), 45),
    (dict(filters=6, kernel_size=2, padding="same", dilation_rate=(2,), groups=2),
     (3, 4, 4), (3, 4, 6), 30),
    (dict(filters=6, kernel_size=2, padding="causal", dilation_rate=(2,),
          groups=2), (3, 4, 4), (3, 4, 6), 30),
    (dict(filters=6, kernel_size=2, strides=(2,), groups=2), (3, 5, 4),
     (3, 2, 6), 30),
    (dict(filters=3, kernel_size=3, padding="causal", strides=2,
          data_format="channels_first", activation="relu"),
     (2, 4, 7), (2, 3, 4), 39),
])
def test_conv1d_layer_contract(kwargs, input_shape, output_shape, params):
    run_layer_test(Conv1D, kwargs, input_shape=input_shape,
                   expected_output_shape=output_shape,
                   expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0,
                   expected_num_params=params)


@pytest.mark.parametrize("padding,strides,dilation,groups", [
    ("valid", 1, 1, 1), ("same", 2, 1, 1), ("causal", 1, 2, 2), ("causal", 2, 1, 1),
])
def test_conv1d_matches_torch(padding, strides, dilation, groups, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation,
                   groups=groups, activation="relu", dtype="float64",
                   bias_initializer="random_normal")
    x = rng.standard_normal((2, 9, 2))
    xb = baro.Tensor(x, requires_grad=True)
    with baro.GradientTape() as tape:
        y = layer(xb)
        seed = rng.standard_normal(y.shape)
        loss = baro.reduce_sum(y * seed)
    gx, gk = tape.gradient(loss, [xb, layer.kernel])

    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    xc = xt.permute(0, 2, 1)
    k_eff = 2 * dilation + 1
    if padding == "causal":
        xc = torch.nn.functional.pad(xc, (k_eff - 1, 0))
    elif padding == "same":
        total = max((-(-9 // strides) - 1) * strides + k_eff - 9, 0)
        xc = torch.nn.functional.pad(xc, (total // 2, total - total // 2))
    out = torch.nn.functional.conv1d(
        xc, kt.permute(2, 1, 0), torch.tensor(layer.bias.numpy()), stride=strides,
        dilation=dilation, groups=groups)
    out = torch.relu(out).permute(0, 2, 1)
    (out * torch.tensor(seed)).sum().backward()
    assert_allclose(y, out.detach().numpy(), atol=1e-10)
    assert_allclose(gx, xt.grad.numpy(), atol=1e-10)
    assert_allclose(gk, kt.grad.numpy(), atol=1e-10)


def test_causal_output_never_sees_the_future(rng):
    layer = Conv1D(3, 3, padding="causal", dilation_rate=2)
    x = rng.standard_normal((2, 10, 2)).astype(np.float32)
    y = layer(x).numpy()
    assert y.shape == (2, 10, 3)
    changed = x.copy()
    changed[:, 6:] = 100.0
    y_changed = layer(changed).numpy()
    assert_allclose(y_changed[:, :6], y[:, :6])
    assert not np.allclose(y_changed[:, 6:], y[:, 6:])
    # Step 0 sees only x[0]: the kernel's last tap.
    kernel, bias = layer.get_weights()
    assert_allclose(y[:, 0], x[:, 0] @ kernel[-1] + bias, rtol=1e-5, atol=1e-6)


def test_conv1d_compute_output_shape():
    assert Conv1D(4, 3).compute_output_shape((None, None, 2)) == (None, None, 4)
    assert Conv1D(4, 3, strides=2, padding="causal").compute_output_shape(
        (2, 9, 2)) == (2, 5, 4)
    assert Conv1D(4, 3, data_format="channels_first").compute_output_shape(
        (2, 2, 9)) == (2, 4, 7)


def test_conv1d_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"Conv1D: padding must be one of.*'full'"):
        Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match=r"kernel_size.*1 positive.*\(3, 3\)"):
        Conv1D(2, (3, 3))
    with pytest.raises(ValueError, match=r"Conv1D 'c' expects inputs of rank 3"):
        Conv1D(2, 3, name="c")(np.ones((1, 5, 5, 1)))
