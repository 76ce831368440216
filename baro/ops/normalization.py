"""Normalization ops: moments, a fused standardize, and batch_normalization.

`standardize` is the fused kernel behind BatchNormalization (training),
LayerNormalization and GroupNormalization: one node computes the statistics and
the normalized tensor, and its backward is the closed form, a handful of passes
over the data instead of the dozen a composition of mean/var/rsqrt would take.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.convert import as_float, normalize_axis


def _count(shape, axes) -> int:
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _reduced(shape, axes) -> tuple[int, ...]:
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _stat_grads(g_mean, g_var, centered, n, keepdims_shape):
    """x's gradient through the statistics: g_mean / n + g_var * 2 (x - mean) / n."""
    xp = get_array_module(centered)
    grad = None
    if g_mean is not None:
        grad = xp.broadcast_to(g_mean.reshape(keepdims_shape) / n, centered.shape)
    if g_var is not None:
        part = g_var.reshape(keepdims_shape) * (2.0 / n) * centered
        grad = part if grad is None else grad + part
    return grad


class Moments(Function):
    """mean = sum(x) / n, var = sum((x - mean)^2) / n over `axes` (population);
    dx = g_mean / n + g_var * 2 (x - mean) / n."""

    n_outputs = 2

    def __init__(self, axes, keepdims: bool) -> None:
        self.axes = axes
        self.keepdims = keepdims

    def forward(self, x):
        xp = get_array_module(x)
        n = _count(x.shape, self.axes)
        mean = _sum_kept(xp, self.axes, x) / n
        centered = x - mean
        var = _sum_kept(xp, self.axes, centered, centered) / n
        self.saved = (centered,)
        self.keep_shape = mean.shape
        if self.keepdims:
            return mean, var
        out = _reduced(x.shape, self.axes)
        return mean.reshape(out), var.reshape(out)

    def backward(self, g_mean, g_var):
        centered = self.saved[0]
        n = _count(centered.shape, self.axes)
        return _stat_grads(g_mean, g_var, centered, n, self.keep_shape)


class Standardize(Function):
    """y = (x - mean) * r * scale + offset, r = 1 / sqrt(var + epsilon), with the
    statistics over `axes`; `scale` and `offset` are optional and broadcast.

    Outputs (y, mean, var), the statistics with kept (size-1) axes. With
    xhat = (x - mean) * r, n the number of reduced elements, means over `axes`
    and d = g_y * scale:

        dx = r * (d - mean(d) - xhat * mean(d * xhat))       (through y)
           + g_mean / n + g_var * 2 (x - mean) / n            (through the stats)
        dscale = sum(g_y * xhat),  doffset = sum(g_y)          (over their
                                                               broadcast axes)

    Sums of products go through einsum (no temporary, and several times faster
    than ndarray.sum over non-adjacent axes), and buffers are reused in place:
    forward and backward each allocate about two input-sized arrays.
    """

    n_outputs = 3

    def __init__(self, axes, epsilon: float, has_scale: bool,
                 has_offset: bool) -> None:
        self.axes = axes
        self.epsilon = epsilon
        self.has_scale = has_scale
        self.has_offset = has_offset

    def forward(self, x, *params):
        xp = get_array_module(x)
        scale = params[0] if self.has_scale else None
        offset = params[-1] if self.has_offset else None
        n = _count(x.shape, self.axes)
        mean = _sum_kept(xp, self.axes, x) / n
        xhat = x - mean
        var = _sum_kept(xp, self.axes, xhat, xhat) / n
        r = 1.0 / xp.sqrt(var + self.epsilon)
        xhat *= r
        self.saved = (xhat, r, scale)
        if scale is None and offset is None:
            return xhat, mean, var
        y = xhat * scale if scale is not None else xhat.copy()
        if offset is not None:
            y += offset
        return y, mean, var

    def backward(self, g_y, g_mean, g_var):
        xhat, r, scale = self.saved
        xp = get_array_module(xhat)
        axes = self.axes
        n = _count(xhat.shape, axes)
        grads = [None] * (self.has_scale + self.has_offset)
        grad = None
        if g_y is not None:
            for i, p in enumerate(self.inputs[1:]):
                if p.requires_grad:
                    arrays = (g_y, xhat) if self.has_scale and i == 0 else (g_y,)
                    grads[i] = _sum_to(xp, p.shape, *arrays)
            # d = g_y * scale in a fresh buffer: g_y itself must stay untouched.
            d = g_y * scale if scale is not None else g_y.copy()
            b = _sum_kept(xp, axes, d, xhat) / n
            d -= _sum_kept(xp, axes, d) / n
            d -= xhat * b
            d *= r
            grad = d
        if g_mean is not None or g_var is not None:
            # x - mean = xhat / r.
            part = _stat_grads(g_mean, g_var, xhat / r, n, r.shape)
            grad = part if grad is None else grad + part
        return (grad, *grads)


def _sum_kept(xp, axes, *arrays):
    """sum over `axes` of the product of same-shape `arrays`, axes kept as 1."""
    shape = arrays[0].shape
    letters = "abcdefghijklmnopqrstuvwxyz"[:len(shape)]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    out = xp.einsum(",".join([letters] * len(arrays)) + "->" + kept, *arrays)
    return out.reshape(tuple(1 if i in axes else k for i, k in enumerate(shape)))


def _sum_to(xp, shape, *arrays):
    """sum of the product of `arrays` down to `shape` (undoing its broadcast)."""
    ndim = arrays[0].ndim
    padded = (1,) * (ndim - len(shape)) + tuple(shape)
    axes = tuple(i for i in range(ndim) if padded[i] == 1)
    return _sum_kept(xp, axes, *arrays).reshape(shape)


def moments(x, axes, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and population variance of `x` over `axes` (`keras.ops.moments`).

    Args:
        x: Float input.
        axes: An axis or a sequence of axes to reduce.
        keepdims: Keep the reduced axes with size 1 (default False).

    Returns:
        (mean, variance), both differentiable.

    Example:
        >>> from baro.ops.normalization import moments
        >>> mean, var = moments([[1.0, 3.0]], axes=1)
        >>> mean.numpy(), var.numpy()
        (array([2.], dtype=float32), array([1.], dtype=float32))
    """
    x = as_float(x, "moments")
    axes = normalize_axis(axes, x.ndim, "moments")
    return Moments(axes, bool(keepdims)).apply(x)


def standardize(x, axes, epsilon: float = 1e-3, scale=None,
                offset=None) -> tuple[Tensor, Tensor, Tensor]:
    """`(x - mean) / sqrt(var + epsilon) * scale + offset`, statistics over `axes`.

    One fused node; gradients flow to `x` through all three outputs, and to
    `scale` and `offset` (the learned gamma and beta of a normalization layer).

    Args:
        x: Float input.
        axes: An axis or a sequence of axes the statistics reduce.
        epsilon: Added to the variance (default 1e-3, Keras's normalization
            layers' default).
        scale: Optional multiplier broadcastable against x (default None: 1).
        offset: Optional addend broadcastable against x (default None: 0).

    Returns:
        (normalized, mean, variance); mean and variance keep the reduced axes
        with size 1.

    Raises:
        ValueError: If `epsilon` is negative, an axis is out of range, or
            scale / offset do not broadcast against x.

    Example:
        >>> from baro.ops.normalization import standardize
        >>> y, mean, var = standardize([[1.0, 3.0]], axes=-1, epsilon=0.0)
        >>> y.numpy(), mean.shape
        (array([[-1.,  1.]], dtype=float32), (1, 1))
    """
    x = as_float(x, "standardize")
    axes = normalize_axis(axes, x.ndim, "standardize")
    if not epsilon >= 0:
        raise ValueError(
            f"standardize: epsilon must be >= 0, received epsilon={epsilon!r}.")
    params = []
    for name, value in (("scale", scale), ("offset", offset)):
        if value is None:
            continue
        value = as_float(value, "standardize")
        if value.dtype != x.dtype:
            value = value.astype(x.dtype)
        try:
            ok = np.broadcast_shapes(value.shape, x.shape) == x.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"standardize: {name} of shape {value.shape} does not broadcast "
                f"to x of shape {x.shape}.")
        params.append(value)
    node = Standardize(axes, float(epsilon), scale is not None, offset is not None)
    return node.apply(x, *params)


def batch_normalization(x, mean, variance, axis: int, offset=None, scale=None,
                        epsilon: float = 1e-3) -> Tensor:
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset` along `axis`
    (`keras.ops.batch_normalization`).

    The per-feature vectors are combined first, so the full-size tensor sees
    one multiply and one add: y = x * a + (offset - mean * a) with
    a = scale / sqrt(variance + epsilon). Composed of ops: differentiable in
    every argument.

    Args:
        x: Float input.
        mean, variance: Vectors of length `x.shape[axis]`.
        axis: The feature axis.
        offset, scale: Optional vectors of the same length.
        epsilon: Added to the variance (default 1e-3).

    Raises:
        ValueError: If a vector's length differs from `x.shape[axis]`.

    Example:
        >>> from baro.ops.normalization import batch_normalization
        >>> batch_normalization([[2.0, 4.0]], [1.0, 2.0], [1.0, 4.0], axis=-1,
        ...                     epsilon=0.0).numpy()
        array([[1., 1.]], dtype=float32)
    """
    from baro.ops.creation import convert_to_tensor
    from baro.ops.math import rsqrt
    from baro.ops.shape import reshape

    x = as_float(x, "batch_normalization")
    (axis,) = normalize_axis(axis, x.ndim, "batch_normalization")
    size = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = size

    def vector(v, what):
        v = convert_to_tensor(v)
        if v.dtype != x.dtype:
            v = v.astype(x.dtype)
        if v.size != size:
            raise ValueError(
                f"batch_normalization: {what} has shape {v.shape}, expected "
                f"{size} values to match axis {axis} of x with shape {x.shape}.")
        return reshape(v, shape)

    a = rsqrt(vector(variance, "variance") + epsilon)
    if scale is not None:
        a = a * vector(scale, "scale")
    b = -vector(mean, "mean") * a
    if offset is not None:
        b = b + vector(offset, "offset")
    return x * a + b
