"""Scaled dot-product attention as one fused op (forward and backward).

Composing matmul / where / softmax / where / dropout / matmul works, but each
step makes a full `(..., T, S)` pass (the masked `where` two more in backward),
and NumPy's batched matmul is about ten times slower when its second operand is
a transposed view (`k.swapaxes(-1, -2)`, or the heads-first views of a
`(B, T, heads, dim)` projection) than on a contiguous copy. The fused op copies
such operands once and does the softmax in place.
"""

from __future__ import annotations

import math

import numpy as np

from baro.backend import random as backend_random
from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.convert import as_float, as_tensor


def _large_negative(dtype) -> float:
    # Keras's constants: far below any real logit, yet finite (no inf - inf).
    return -3e4 if np.dtype(dtype) == np.float16 else -1e9


class ScaledDotProductAttention(Function):
    """Attention over the last two axes, heads-first layout `(..., T, H)`.

        P = m * softmax(where(m, s * Q K^T, -1e9))       (..., T, S)
        O = (P * D) V                                    (..., T, Hv)

    with mask m (True = attend; all-False rows give P = 0), scale s and the
    scaled dropout keep-mask D. With dY = dO V^T * D (+ the gradient of P when
    P is an output):

        dV = (P * D)^T dO,   dZ = P * (dY - rowsum(dY * P)),
        dQ = s * dZ K,       dK = s * dZ^T Q.

    Masked entries of P are exactly 0, so dZ is 0 there without a mask pass.

    Inputs are `(q, k, v)` or `(q, k, v, mask)`: the mask is an op input and D
    is drawn in forward, so a replayed plan (a compiled fit step) reads each
    batch's mask and draws a new dropout mask instead of freezing the first.
    """

    def __init__(self, scale: float, is_causal: bool = False,
                 dropout_rate: float = 0.0, keep_shape: tuple = (), seed=None,
                 return_weights: bool = False) -> None:
        self.scale = scale
        self.is_causal = is_causal
        self.rate = dropout_rate
        self.keep_shape = keep_shape
        self.seed = seed
        self.return_weights = return_weights

    def _masked(self, xp, mask, t: int, s: int):
        """Where the weights must be 0 (in the mask's broadcastable shape), or
        None when every key may be attended to."""
        if mask is not None:
            mask = mask.astype(bool, copy=False)
        if self.is_causal:
            causal = xp.tri(t, s, dtype=bool)
            mask = causal if mask is None else mask & causal
        return None if mask is None else ~mask

    def forward(self, q, k, v, mask=None):
        xp = get_array_module(q)
        masked = self._masked(xp, mask, q.shape[-2], k.shape[-2])
        # One pass: the scaled copy is also the contiguous one.
        q_scaled = xp.empty(q.shape, q.dtype)
        xp.multiply(q, q.dtype.type(self.scale), out=q_scaled)
        k = xp.ascontiguousarray(k)
        v = xp.ascontiguousarray(v)
        weights = q_scaled @ xp.ascontiguousarray(k.swapaxes(-1, -2))
        if masked is not None:
            xp.copyto(weights, _large_negative(weights.dtype), where=masked)
        weights -= weights.max(axis=-1, keepdims=True)
        xp.exp(weights, out=weights)
        weights /= weights.sum(axis=-1, keepdims=True)
        if masked is not None:
            # Rows with every key masked became uniform: make them all zero.
            xp.copyto(weights, 0, where=masked)
        keep = None
        if self.rate > 0:
            draws = backend_random.random_float_mask(self.keep_shape, q.dtype,
                                                     seed=self.seed)
            keep = (draws >= self.rate) * q.dtype.type(1.0 / (1.0 - self.rate))
        dropped = weights if keep is None else weights * keep
        self.saved = (q_scaled, k, v, weights, keep)
        out = dropped @ v
        return (out, weights) if self.return_weights else out

    def backward(self, g_out, g_weights=None):
        q_scaled, k, v, weights, keep = self.saved
        xp = get_array_module(weights)
        g_q = g_k = g_v = None
        no_mask_grad = (None,) * (len(self.inputs) - 3)
        if g_out is not None:
            g_out = xp.ascontiguousarray(g_out)
            if self.inputs[2].requires_grad:
                dropped = weights if keep is None else weights * keep
                g_v = dropped.swapaxes(-1, -2) @ g_out
            g_z = g_out @ xp.ascontiguousarray(v.swapaxes(-1, -2))
            if keep is not None:
                g_z *= keep
            if g_weights is not None:
                g_z += g_weights
        else:
            g_z = xp.array(g_weights, copy=True)
        if not (self.inputs[0].requires_grad or self.inputs[1].requires_grad):
            return (g_q, g_k, g_v, *no_mask_grad)
        # Softmax backward in place: dZ = P * (dY - sum(dY * P)).
        g_z -= (g_z * weights).sum(axis=-1, keepdims=True)
        g_z *= weights
        if self.inputs[0].requires_grad:
            g_q = (g_z @ k) * q_scaled.dtype.type(self.scale)
        if self.inputs[1].requires_grad:
            g_k = g_z.swapaxes(-1, -2) @ q_scaled
        return (g_q, g_k, g_v, *no_mask_grad)


def scaled_dot_product_attention(query, key, value, mask=None,
                                 scale: float | None = None, is_causal: bool = False,
                                 dropout_rate: float = 0.0, seed=None,
                                 return_weights: bool = False):
    """Softmax attention in the heads-first layout (as `torch.nn.functional.
    scaled_dot_product_attention`): `softmax(scale * Q K^T) V`.

    A query row whose keys are all masked gets weights of exactly 0 (output 0),
    as in Keras's MultiHeadAttention, rather than NaN (torch) or a uniform
    average.

    Args:
        query: `(..., T, H)`.
        key: `(..., S, H)`; leading axes broadcast against the query's.
        value: `(..., S, Hv)`.
        mask: Optional boolean array broadcastable to `(..., T, S)`, True
            where a query may attend to a key.
        scale: Logit scale; default `1 / sqrt(H)`.
        is_causal: Also mask keys after the query position (top-left aligned
            lower triangle, `j <= i`).
        dropout_rate: Fraction of attention weights to drop (rescaling the
            others); use only in training.
        seed: None, an int or a `SeedGenerator` for the dropout mask.
        return_weights: Also return the attention weights (before dropout).

    Returns:
        `(..., T, Hv)`, and the weights `(..., T, S)` if `return_weights`.

    Raises:
        ValueError: If the shapes do not fit together or the mask does not
            broadcast, echoing the shapes.

    Example:
        >>> import numpy as np
        >>> from baro.ops.attention import scaled_dot_product_attention
        >>> q = k = np.eye(2, dtype="float32")[None]
        >>> v = np.array([[[1.0, 0.0], [0.0, 1.0]]], "float32")
        >>> out = scaled_dot_product_attention(q, k, v, is_causal=True)
        >>> print(np.round(out.numpy(), 2))
        [[[1.   0.  ]
          [0.33 0.67]]]
    """
    q = as_float(query, "scaled_dot_product_attention")
    k = as_float(key, "scaled_dot_product_attention")
    v = as_float(value, "scaled_dot_product_attention")
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] or \
            k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: expected query (..., T, H), key (..., "
            f"S, H) and value (..., S, Hv); received shapes {q.shape}, {k.shape} "
            f"and {v.shape}.")
    if not q.dtype == k.dtype == v.dtype:
        raise TypeError(
            f"scaled_dot_product_attention: query, key and value must share a "
            f"dtype, received {q.dtype}, {k.dtype} and {v.dtype}; cast them first.")
    t, s = q.shape[-2], k.shape[-2]
    try:
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(
            f"scaled_dot_product_attention: the leading axes of query {q.shape}, "
            f"key {k.shape} and value {v.shape} do not broadcast.") from None
    inputs = [q, k, v]
    if mask is not None:
        # An op input (not an array kept on the op): a replayed plan then
        # reads each batch's mask.
        mask = as_tensor(mask)
        try:
            fits = np.broadcast_shapes(mask.shape, lead + (t, s)) == lead + (t, s)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"scaled_dot_product_attention: the mask of shape {mask.shape} "
                f"does not broadcast to the attention weights {lead + (t, s)}.")
        inputs.append(mask)
    if not 0.0 <= dropout_rate < 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_rate must be in "
                         f"[0, 1), received {dropout_rate}.")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    fn = ScaledDotProductAttention(float(scale), bool(is_causal), float(dropout_rate),
                                   lead + (t, s), seed, return_weights)
    return fn.apply(*inputs)


def dot_product_attention(query, key, value, mask=None, scale: float | None = None,
                          is_causal: bool = False):
    """Multi-head attention core in Keras's layout (`keras.ops.
    dot_product_attention`): `(B, T, N, H)` query, `(B, S, N, H)` key,
    `(B, S, N, Hv)` value -> `(B, T, N, Hv)`.

    Args:
        query, key, value: Rank-4 tensors as above.
        mask: Optional boolean mask broadcastable to `(B, N, T, S)`.
        scale: Logit scale; default `1 / sqrt(H)`.
        is_causal: Mask keys after the query position.

    Rows whose keys are all masked give 0 (see `scaled_dot_product_attention`).

    Raises:
        ValueError: If an input is not rank 4 (see also
            `scaled_dot_product_attention`).

    Example:
        >>> import numpy as np
        >>> from baro.ops.attention import dot_product_attention
        >>> x = np.ones((2, 5, 3, 4), "float32")
        >>> dot_product_attention(x, x, x).shape
        (2, 5, 3, 4)
    """
    from baro.ops.shape import transpose

    tensors = [as_float(x, "dot_product_attention") for x in (query, key, value)]
    if any(x.ndim != 4 for x in tensors):
        raise ValueError(
            "dot_product_attention: query, key and value must be rank 4, (batch, "
            f"length, heads, head_dim); received shapes "
            f"{[x.shape for x in tensors]}.")
    q, k, v = (transpose(x, (0, 2, 1, 3)) for x in tensors)
    out = scaled_dot_product_attention(q, k, v, mask=mask, scale=scale,
                                       is_causal=is_causal)
    return transpose(out, (0, 2, 1, 3))
