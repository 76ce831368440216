"""Normalization ops: moments, the fused standardize, batch_normalization."""

import numpy as np
import pytest

from baro.core.tensor import Tensor
from baro.ops.normalization import batch_normalization, moments, standardize
from baro.testing import analytic_grad, assert_allclose, gradcheck

AXES = [(0,), (0, 2), (1, 2), (2,), (0, 1, 2)]


@pytest.mark.parametrize("axes", AXES)
def test_moments_forward_and_gradients(rng, axes):
    x = rng.standard_normal((3, 4, 5))
    mean, var = moments(x, axes)
    assert_allclose(mean, x.mean(axis=axes), rtol=1e-12)
    assert_allclose(var, x.var(axis=axes), rtol=1e-12)
    kept = moments(x, axes, keepdims=True)
    assert kept[0].shape == x.mean(axis=axes, keepdims=True).shape
    gradcheck(lambda t: list(moments(t, axes)), x)
    gradcheck(lambda t: moments(t, axes)[1], x)  # only the variance used


@pytest.mark.parametrize("axes", AXES)
def test_standardize_forward_matches_numpy(rng, axes):
    x = (rng.standard_normal((3, 4, 5)) * 3 + 2).astype(np.float32)
    y, mean, var = standardize(x, axes, epsilon=1e-3)
    ref_mean = x.mean(axis=axes, keepdims=True)
    ref_var = x.var(axis=axes, keepdims=True)
    assert y.dtype == np.float32 and mean.dtype == np.float32
    assert_allclose(y, (x - ref_mean) / np.sqrt(ref_var + 1e-3), rtol=1e-5, atol=1e-5)
    assert_allclose(mean, ref_mean, rtol=1e-5, atol=1e-6)
    assert_allclose(var, ref_var, rtol=1e-5)


@pytest.mark.parametrize("axes", AXES)
def test_standardize_gradients_through_every_output(rng, axes):
    x = rng.standard_normal((3, 4, 5))
    gradcheck(lambda t: list(standardize(t, axes, epsilon=1e-3)), x)
    gradcheck(lambda t: standardize(t, axes, epsilon=1e-3)[0], x)
    gradcheck(lambda t: standardize(t, axes)[2] * 2.0 + standardize(t, axes)[1], x)


def test_standardize_matches_torch_batch_norm_training_gradient(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((4, 3, 2, 5)).astype(np.float32)
    seed = rng.standard_normal(x.shape).astype(np.float32)
    grad = analytic_grad(lambda t: (standardize(t, (0, 2, 3), 1e-3)[0] * seed).sum(),
                         x)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.batch_norm(xt, None, None, training=True, eps=1e-3)
    (yt * torch.tensor(seed)).sum().backward()
    assert_allclose(standardize(x, (0, 2, 3), 1e-3)[0], yt.detach().numpy(),
                    rtol=1e-4, atol=1e-5)
    assert_allclose(grad, xt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_standardize_of_constant_slices_is_zero_and_finite():
    x = np.full((4, 3), 7.0, np.float32)
    y, _, var = standardize(x, 0, epsilon=1e-3)
    assert_allclose(y, np.zeros_like(x))
    assert_allclose(var, np.zeros((1, 3)))
    grad = analytic_grad(lambda t: standardize(t, 0)[0].sum(), x)
    assert np.isfinite(grad).all()


def test_standardize_is_accurate_for_a_large_offset(rng):
    # Two-pass statistics: a mean of 1e4 must not swamp a spread of 1.
    x = (rng.standard_normal((64, 3)) + 1e4).astype(np.float32)
    y = standardize(x, 0, epsilon=0.0)[0].numpy()
    assert_allclose(y.std(axis=0), np.ones(3), rtol=1e-3)


def test_standardize_rejects_bad_arguments():
    with pytest.raises(ValueError, match="epsilon must be >= 0"):
        standardize(np.ones((2, 2)), 0, epsilon=-1.0)
    with pytest.raises(ValueError, match="out of range"):
        standardize(np.ones((2, 2)), 3)


def test_batch_normalization_forward_and_gradients(rng):
    x = rng.standard_normal((4, 3, 2))
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    offset, scale = rng.standard_normal(3), rng.standard_normal(3)
    y = batch_normalization(x, mean, var, axis=1, offset=offset, scale=scale)
    b = (slice(None), None)
    ref = (x - mean[b]) / np.sqrt(var[b] + 1e-3) * scale[b] + offset[b]
    assert_allclose(y, ref, rtol=1e-10)
    gradcheck(lambda *t: batch_normalization(t[0], t[1], t[2], 1, t[3], t[4]),
              x, mean, var, offset, scale)
    plain = batch_normalization(x, mean, var, axis=1, epsilon=0.0)
    assert_allclose(plain, (x - mean[b]) / np.sqrt(var[b]), rtol=1e-10)


def test_batch_normalization_keeps_float32_and_checks_lengths():
    x = np.ones((2, 3), np.float32)
    y = batch_normalization(x, np.zeros(3), np.ones(3), axis=-1)
    assert isinstance(y, Tensor) and y.dtype == np.float32
    with pytest.raises(ValueError, match=r"mean has shape \(2,\), expected 3"):
        batch_normalization(x, np.zeros(2), np.ones(3), axis=-1)
