"""The fused scaled dot-product attention op: forward, gradients, masks, torch."""

import warnings

import numpy as np
import pytest

import baro
from baro.core.engine import gradients
from baro.ops.attention import dot_product_attention, scaled_dot_product_attention
from baro.testing import assert_allclose, gradcheck


def _reference(q, k, v, mask=None, scale=None):
    """softmax over keys of scale * q k^T (masked), zero rows where all masked."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = scale * q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        logits = np.where(mask, logits, -np.inf)
    top = logits.max(-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(logits - top)
    total = e.sum(-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights


def _inputs(rng, lead=(2, 3), t=4, s=5, h=3, hv=2, dtype=np.float32):
    q = rng.standard_normal(lead + (t, h)).astype(dtype)
    k = rng.standard_normal(lead + (s, h)).astype(dtype)
    v = rng.standard_normal(lead + (s, hv)).astype(dtype)
    return q, k, v


def test_forward_matches_numpy_with_and_without_mask(rng):
    q, k, v = _inputs(rng)
    mask = rng.random((2, 1, 4, 5)) > 0.3
    mask[..., 0] = True  # every row keeps a key
    for m in (None, mask):
        out, weights = scaled_dot_product_attention(q, k, v, mask=m,
                                                    return_weights=True)
        ref_out, ref_w = _reference(q, k, v, m)
        assert out.dtype == np.float32 and weights.dtype == np.float32
        assert_allclose(out, ref_out, rtol=1e-5, atol=1e-6)
        assert_allclose(weights, ref_w, rtol=1e-5, atol=1e-6)
        assert_allclose(weights.numpy().sum(-1), np.ones((2, 3, 4)), rtol=1e-6)
    assert (weights.numpy()[np.broadcast_to(~mask, weights.shape)] == 0).all()


def test_causal_mask_is_top_left_lower_triangle(rng):
    q, k, v = _inputs(rng, lead=(2,), t=3, s=5)
    out, weights = scaled_dot_product_attention(q, k, v, is_causal=True,
                                                return_weights=True)
    tri = np.tri(3, 5, dtype=bool)
    assert (weights.numpy()[:, ~tri] == 0).all()
    assert_allclose(out, _reference(q, k, v, tri)[0], rtol=1e-5, atol=1e-6)


def test_fully_masked_row_gives_zeros_and_zero_gradient(rng):
    q, k, v = _inputs(rng, lead=(1,), t=2, s=3, dtype=np.float64)
    mask = np.array([[True, False, True], [False, False, False]])
    tensors = [baro.Tensor(x, requires_grad=True) for x in (q, k, v)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, weights = scaled_dot_product_attention(*tensors, mask=mask,
                                                    return_weights=True)
        grads = gradients([out], tensors, seeds=[np.ones(out.shape)])
    assert (weights.numpy()[0, 1] == 0).all() and (out.numpy()[0, 1] == 0).all()
    assert (grads[0][0, 1] == 0).all()  # the masked query row gets no gradient
    assert np.isfinite(np.concatenate([g.ravel() for g in grads])).all()


def test_large_logits_stay_finite(rng):
    q, k, v = _inputs(rng, lead=(1,), t=3, s=3)
    out, weights = scaled_dot_product_attention(q * 1e4, k * 1e4, v,
                                                return_weights=True)
    assert np.isfinite(out.numpy()).all()
    assert_allclose(weights.numpy().sum(-1), np.ones((1, 3)), rtol=1e-6)


@pytest.mark.parametrize("mask", [None, "padding", "causal"])
def test_gradients_match_finite_differences(rng, mask):
    q, k, v = _inputs(rng, lead=(2,), t=3, s=4, h=2, hv=2, dtype=np.float64)
    m = None
    if mask == "padding":
        m = np.array([[[True, True, False, True]], [[True, False, False, False]]])
    gradcheck(lambda a, b, c: scaled_dot_product_attention(
        a, b, c, mask=m, is_causal=mask == "causal", scale=0.7), q, k, v)


def test_gradients_through_returned_weights(rng):
    q, k, v = _inputs(rng, lead=(1,), t=2, s=3, h=2, hv=2, dtype=np.float64)
    mask = np.array([[True, False, True], [True, True, True]])
    gradcheck(lambda a, b, c: scaled_dot_product_attention(
        a, b, c, mask=mask, return_weights=True), q, k, v)
    # Only the weights used: the output's gradient is absent (None) in backward.
    gradcheck(lambda a, b, c: scaled_dot_product_attention(
        a, b, c, return_weights=True)[1] * 1.0, q, k, v)


def test_dropout_with_int_seed_is_fixed_and_differentiable(rng):
    q, k, v = _inputs(rng, lead=(2,), t=3, s=4, h=2, hv=2, dtype=np.float64)

    def f(a, b, c):
        return scaled_dot_product_attention(a, b, c, dropout_rate=0.5, seed=3)

    gradcheck(f, q, k, v)
    out, weights = scaled_dot_product_attention(q, k, v, dropout_rate=0.5, seed=3,
                                                return_weights=True)
    assert_allclose(f(q, k, v), out)
    assert_allclose(weights.numpy().sum(-1), np.ones((2, 3)))  # before dropout
    assert not np.allclose(out.numpy(), _reference(q, k, v)[0])


def test_broadcast_leading_axes(rng):
    q = rng.standard_normal((2, 3, 4, 2))
    k = rng.standard_normal((1, 3, 5, 2))
    v = rng.standard_normal((2, 1, 5, 3))
    out = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 4, 3)
    assert_allclose(out, _reference(q, k, v)[0], rtol=1e-10)
    gradcheck(lambda a, b, c: scaled_dot_product_attention(a, b, c), q, k, v)


def test_keras_layout_matches_heads_first(rng):
    q = rng.standard_normal((2, 4, 3, 2)).astype(np.float32)
    k = rng.standard_normal((2, 5, 3, 2)).astype(np.float32)
    v = rng.standard_normal((2, 5, 3, 6)).astype(np.float32)
    mask = rng.random((2, 1, 4, 5)) > 0.2
    mask[..., 0] = True
    out = dot_product_attention(q, k, v, mask=mask, is_causal=True)
    heads_first = [np.swapaxes(x, 1, 2) for x in (q, k, v)]
    ref = _reference(*heads_first, mask & np.tri(4, 5, dtype=bool))[0]
    assert out.shape == (2, 4, 3, 6)
    assert_allclose(out, np.swapaxes(ref, 1, 2), rtol=1e-5, atol=1e-6)


def test_matches_torch_forward_and_backward(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    q, k, v = _inputs(rng, lead=(2, 2), t=4, s=6, h=3, hv=5)
    mask = rng.random((2, 1, 4, 6)) > 0.4
    mask[..., 2] = True
    seed = rng.standard_normal((2, 2, 4, 5)).astype(np.float32)
    tensors = [baro.Tensor(x, requires_grad=True) for x in (q, k, v)]
    out = scaled_dot_product_attention(*tensors, mask=mask, scale=0.3)
    grads = gradients([out], tensors, seeds=[seed])
    tq, tk, tv = (torch.tensor(x, requires_grad=True) for x in (q, k, v))
    expected = torch.nn.functional.scaled_dot_product_attention(
        tq, tk, tv, attn_mask=torch.tensor(mask), scale=0.3)
    (expected * torch.tensor(seed)).sum().backward()
    assert_allclose(out, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    for g, t in zip(grads, (tq, tk, tv), strict=True):
        assert_allclose(g, t.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_errors_echo_the_shapes(rng):
    q, k, v = _inputs(rng)
    with pytest.raises(ValueError, match=r"attention: expected .*\(2, 3, 4, 3\)"):
        scaled_dot_product_attention(q, k[..., :2], v)
    with pytest.raises(ValueError, match="mask of shape"):
        scaled_dot_product_attention(q, k, v, mask=np.ones((3, 5), bool))
    with pytest.raises(ValueError, match="do not broadcast"):
        scaled_dot_product_attention(q, k[:1, :2], v)
    with pytest.raises(TypeError, match="share a dtype"):
        scaled_dot_product_attention(q, k.astype(np.float64), v)
    with pytest.raises(ValueError, match="dropout_rate"):
        scaled_dot_product_attention(q, k, v, dropout_rate=1.0)
    with pytest.raises(ValueError, match="rank 4"):
        dot_product_attention(q[0], k[0], v[0])


def test_only_requested_gradients_are_computed(rng):
    q, k, v = _inputs(rng, lead=(1,), t=2, s=3, h=2, hv=2, dtype=np.float64)
    value = baro.Tensor(v, requires_grad=True)
    out = scaled_dot_product_attention(q, k, value)
    (g_v,) = gradients([out], [value], seeds=[np.ones(out.shape)])
    assert_allclose(g_v, np.swapaxes(_reference(q, k, v)[1], -1, -2).sum(-1,
                    keepdims=True).repeat(2, -1), rtol=1e-12)
    query = baro.Tensor(q, requires_grad=True)
    out = scaled_dot_product_attention(query, k, v)
    (g_q,) = gradients([out], [query], seeds=[np.ones(out.shape)])
    gradcheck(lambda a: scaled_dot_product_attention(a, k, v), q)
    assert g_q.shape == q.shape


def test_a_replayed_plan_reads_each_mask_and_draws_new_dropout(rng):
    # The mask is an op input and dropout is drawn in forward: a compiled step
    # replaying the trace must not reuse the first batch's mask or draws.
    from baro.core import tracing
    from baro.core.plan import Plan

    q, k, v = _inputs(rng)
    first = rng.random((2, 1, 4, 5)) > 0.5
    tensors = [baro.Tensor(a) for a in (q, k, v, first)]
    with tracing.trace() as record:
        out = scaled_dot_product_attention(*tensors[:3], mask=tensors[3],
                                           is_causal=True)
    plan = Plan(record, tensors, [out])
    second = rng.random((2, 1, 4, 5)) > 0.5
    replayed = plan.outputs(plan.run([q, k, v, second]))[0]
    expected = _reference(q, k, v, second & np.tri(4, 5, dtype=bool))[0]
    assert_allclose(replayed, expected, rtol=1e-5, atol=1e-6)

    with tracing.trace() as record:
        dropped = scaled_dot_product_attention(*tensors[:3], dropout_rate=0.5)
    plan = Plan(record, tensors[:3], [dropped])
    runs = [plan.outputs(plan.run([q, k, v]))[0] for _ in range(2)]
    assert not np.array_equal(*runs)
