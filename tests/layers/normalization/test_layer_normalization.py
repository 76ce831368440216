"""LayerNormalization: Keras shapes and counts, NumPy and torch parity."""

import numpy as np
import pytest

from baro.layers.normalization.layer_normalization import LayerNormalization
from baro.testing import assert_allclose, run_layer_test


def _reference(x, axes, gamma, beta, eps):
    axes = tuple(a % x.ndim for a in axes)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    return (x - mean) / np.sqrt(var + eps) * gamma.reshape(shape) + \
        beta.reshape(shape)


@pytest.mark.parametrize("kwargs, params, gamma_shape", [
    ({}, 4, (2,)),
    ({"axis": [1, 2]}, 24, (3, 4)),
    ({"axis": (-3, -2, -1), "center": False}, 24, (3, 4, 2)),
    ({"axis": 1, "scale": False, "center": False}, 0, None),
])
def test_keras_counts_and_harness(kwargs, params, gamma_shape):
    layer = run_layer_test(
        LayerNormalization, kwargs, input_shape=(2, 3, 4, 2),
        expected_output_shape=(2, 3, 4, 2), expected_num_params=params,
        expected_num_non_trainable_weights=0)
    if gamma_shape is not None:
        assert layer.gamma.shape == gamma_shape


@pytest.mark.parametrize("axis", [-1, [1, 2], [1], [1, 3]])
def test_forward_matches_numpy(rng, axis):
    x = (rng.standard_normal((2, 3, 4, 5)) * 2 + 1).astype(np.float32)
    layer = LayerNormalization(axis=axis, gamma_initializer="random_normal",
                               beta_initializer="random_normal")
    y = layer(x)
    axes = axis if isinstance(axis, list) else [axis]
    ref = _reference(x.astype(np.float64), axes, layer.gamma.numpy(),
                     layer.beta.numpy(), 1e-3)
    assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_unsorted_axes_keep_keras_weight_shape(rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    layer = LayerNormalization(axis=[2, 1], gamma_initializer="random_normal")
    y = layer(x)
    assert layer.gamma.shape == (4, 3)
    ref = _reference(x.astype(np.float64), [1, 2], layer.gamma.numpy().T,
                     layer.beta.numpy().T, 1e-3)
    assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_matches_torch_layer_norm(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((3, 4, 6)).astype(np.float32)
    layer = LayerNormalization(axis=[-2, -1], epsilon=1e-5,
                               gamma_initializer="random_normal",
                               beta_initializer="random_normal")
    layer.build(x.shape)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(layer.gamma.numpy(), requires_grad=True)
    bt = torch.tensor(layer.beta.numpy(), requires_grad=True)
    yt = torch.nn.functional.layer_norm(xt, (4, 6), wt, bt, eps=1e-5)
    seed = rng.standard_normal(x.shape).astype(np.float32)
    (yt * torch.tensor(seed)).sum().backward()

    from baro.core.engine import gradients
    from baro.core.tensor import Tensor

    xb = Tensor(x, requires_grad=True)
    y = layer(xb)
    assert_allclose(y, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    gx, gg, gb = gradients([y], [xb, layer.gamma, layer.beta], seeds=[seed])
    assert_allclose(gx, xt.grad.numpy(), rtol=1e-3, atol=1e-4)
    assert_allclose(gg, wt.grad.numpy(), rtol=1e-4, atol=1e-4)
    assert_allclose(gb, bt.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_same_in_training_and_inference(rng):
    x = rng.standard_normal((4, 5)).astype(np.float32)
    layer = LayerNormalization()
    assert_allclose(layer(x, training=True), layer(x, training=False))


def test_rms_scaling_follows_keras_with_a_warning(rng):
    x = rng.standard_normal((2, 5)).astype(np.float32)
    with pytest.warns(UserWarning, match="deprecated"):
        layer = LayerNormalization(rms_scaling=True)
    y = layer(x)
    assert layer.beta is None and layer.count_params() == 5
    assert_allclose(y, x / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-3),
                    rtol=1e-5)
    assert layer.get_config()["rms_scaling"] is True


def test_bad_arguments():
    with pytest.raises(TypeError, match="axis must be an int or a list"):
        LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="out of range"):
        LayerNormalization(axis=3)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="epsilon"):
        LayerNormalization(epsilon=-1.0)
