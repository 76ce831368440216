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
from baro.ops.casting import cast_tensor
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
    c = x - mean, xhat = c * r, n the number of reduced elements, means over
    `axes` and d = g_y * scale:

        dx = r * (d - mean(d) - xhat * mean(d * xhat))       (through y)
           + g_mean / n + g_var * 2 c / n                     (through the stats)
        dscale = sum(g_y * xhat),  doffset = sum(g_y)          (over their
                                                               broadcast axes)

    When scale is constant along `axes` (BatchNormalization: one gamma per
    feature) d's sums are scale times those of g_y, which dscale and doffset
    need anyway, so dx takes the compact form

        dx = r * scale * (g_y - sum(g_y) / n - c * r^2 * sum(g_y * c) / n)

    and y = c * (r * scale) + offset with the per-feature factor folded first.
    Then only c is saved (xhat = c * r is never stored): forward makes five
    passes over the data and backward four plus two reductions. Otherwise
    (LayerNormalization: one gamma per normalized feature) xhat is saved.

    Sums of products go through einsum (no temporary, and several times faster
    than ndarray.sum over non-adjacent axes); forward allocates two arrays of
    the input's size (c and y), backward one.
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
        axes = self.axes
        scale = params[0] if self.has_scale else None
        offset = params[-1] if self.has_offset else None
        n = _count(x.shape, axes)
        mean = _sum_kept(xp, axes, x) / n
        centered = x - mean
        var = _sum_kept(xp, axes, centered, centered) / n
        r = 1.0 / xp.sqrt(var + self.epsilon)
        if _constant_along(scale, axes, x.ndim):
            self.saved = (centered, r, scale)
            y = centered * (r if scale is None else r * scale)
        else:  # r * scale would be as large as x: keep xhat, then scale it
            centered *= r
            self.saved = (centered, r, scale)
            y = centered * scale
        if offset is not None:
            y += offset
        return y, mean, var

    def backward(self, g_y, g_mean, g_var):
        centered, r, scale = self.saved  # xhat instead of c, unless compact
        xp = get_array_module(centered)
        axes = self.axes
        n = _count(centered.shape, axes)
        grads = [None] * (self.has_scale + self.has_offset)
        grad = None
        compact = _constant_along(scale, axes, centered.ndim)
        if g_y is not None and compact:
            sum_gc = _sum_kept(xp, axes, g_y, centered)
            sum_g = _sum_kept(xp, axes, g_y)
            for i, p in enumerate(self.inputs[1:]):
                if not p.requires_grad:
                    continue
                if _broadcast_axes(p.shape, centered.ndim) != axes:
                    grads[i] = _sum_to(xp, p.shape, g_y, *(
                        (centered * r,) if self.has_scale and i == 0 else ()))
                elif self.has_scale and i == 0:
                    grads[i] = (sum_gc * r).reshape(p.shape)
                else:
                    grads[i] = sum_g.reshape(p.shape)
            grad = centered * (r * r * sum_gc / n)
            xp.subtract(g_y, grad, out=grad)
            grad -= sum_g / n
            grad *= r if scale is None else r * scale
        elif g_y is not None:
            xhat = centered
            for i, p in enumerate(self.inputs[1:]):
                if p.requires_grad:
                    arrays = (g_y, xhat) if self.has_scale and i == 0 else (g_y,)
                    grads[i] = _sum_to(xp, p.shape, *arrays)
            # d = g_y * scale in a fresh buffer: g_y itself must stay untouched.
            d = g_y * scale
            b = _sum_kept(xp, axes, d, xhat) / n
            d -= _sum_kept(xp, axes, d) / n
            d -= xhat * b
            d *= r
            grad = d
        if g_mean is not None or g_var is not None:
            part = _stat_grads(g_mean, g_var, centered if compact else centered / r,
                               n, r.shape)
            grad = part if grad is None else grad + part
        return (grad, *grads)


class BatchNorm(Function):
    """y = x * a + b along a feature axis, with the per-feature vectors
    a = scale / sqrt(var + epsilon) and b = offset - mean * a (inference).

    Inputs (x, mean, var[, offset][, scale]), vectors of any shape holding one
    value per feature. With G = sum(g), H = sum(g * (x - mean)) over all axes
    but the feature axis and r = 1 / sqrt(var + epsilon):

        dx = g * a,  doffset = G,  dmean = -a * G,  dscale = r * H,
        dvar = -scale * H * r^3 / 2.
    """

    domain_hint = "batch_normalization needs variance + epsilon >= 0."

    def __init__(self, layout, epsilon: float, has_offset: bool,
                 has_scale: bool) -> None:
        self.layout = layout  # the vectors' shape to broadcast against x
        self.epsilon = epsilon
        self.has_offset = has_offset
        self.has_scale = has_scale

    def forward(self, x, mean, var, *params):
        xp = get_array_module(x)
        scale = params[-1].reshape(self.layout) if self.has_scale else None
        mean = mean.reshape(self.layout)
        with np.errstate(invalid="raise", divide="ignore"):
            r = 1 / xp.sqrt(var.reshape(self.layout) + self.epsilon)
        a = r if scale is None else r * scale
        b = -mean * a
        if self.has_offset:
            b += params[0].reshape(self.layout)
        self.saved = (x, mean, r, a, scale)
        y = x * a
        y += b
        return y

    def backward(self, g):
        x, mean, r, a, scale = self.saved
        xp = get_array_module(x)
        inputs = self.inputs
        axes = tuple(i for i, n in enumerate(self.layout) if n == 1)
        grads = [g * a if inputs[0].requires_grad else None, None, None]
        total = _sum_kept(xp, axes, g) if any(
            t.requires_grad for t in inputs[1:]) else None
        if inputs[1].requires_grad:
            grads[1] = (-a * total).reshape(inputs[1].shape)
        if inputs[2].requires_grad or (self.has_scale and inputs[-1].requires_grad):
            h = _sum_kept(xp, axes, g, x) - mean * total
            if inputs[2].requires_grad:
                d_r = h if scale is None else h * scale
                grads[2] = (d_r * (-0.5 * r * r * r)).reshape(inputs[2].shape)
        if self.has_offset:
            p = inputs[3]
            grads.append(total.reshape(p.shape) if p.requires_grad else None)
        if self.has_scale:
            p = inputs[-1]
            grads.append((h * r).reshape(p.shape) if p.requires_grad else None)
        return tuple(grads)


def _broadcast_axes(shape, ndim) -> tuple[int, ...]:
    """The axes of an ndim-array that an array of `shape` is broadcast along."""
    padded = (1,) * (ndim - len(shape)) + tuple(shape)
    return tuple(i for i in range(ndim) if padded[i] == 1)


def _constant_along(scale, axes, ndim) -> bool:
    """Whether `scale` (or its absence) takes one value along every axis in `axes`."""
    return scale is None or set(axes) <= set(_broadcast_axes(scale.shape, ndim))


def _sum_kept(xp, axes, *arrays):
    """sum over `axes` of the product of same-shape `arrays`, axes kept as 1."""
    shape = arrays[0].shape
    letters = "abcdefghijklmnopqrstuvwxyz"[:len(shape)]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    out = xp.einsum(",".join([letters] * len(arrays)) + "->" + kept, *arrays)
    return out.reshape(tuple(1 if i in axes else k for i, k in enumerate(shape)))


def _sum_to(xp, shape, *arrays):
    """sum of the product of `arrays` down to `shape` (undoing its broadcast)."""
    axes = _broadcast_axes(shape, arrays[0].ndim)
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

    One fused node: the per-feature vectors are combined first, so the
    full-size tensor sees one multiply and one add: y = x * a + (offset -
    mean * a) with a = scale / sqrt(variance + epsilon). Differentiable in
    every argument.

    Args:
        x: Float input.
        mean, variance: Vectors of length `x.shape[axis]`.
        axis: The feature axis.
        offset, scale: Optional vectors of the same length.
        epsilon: Added to the variance (default 1e-3).

    Raises:
        ValueError: If a vector's length differs from `x.shape[axis]`, or
            variance + epsilon is negative.

    Example:
        >>> from baro.ops.normalization import batch_normalization
        >>> batch_normalization([[2.0, 4.0]], [1.0, 2.0], [1.0, 4.0], axis=-1,
        ...                     epsilon=0.0).numpy()
        array([[1., 1.]], dtype=float32)
    """
    x = as_float(x, "batch_normalization")
    (axis,) = normalize_axis(axis, x.ndim, "batch_normalization")
    size = x.shape[axis]
    layout = [1] * x.ndim
    layout[axis] = size

    def vector(v, what):
        v = as_float(v, "batch_normalization")
        if v.dtype != x.dtype:
            v = cast_tensor(v, x.data.dtype)
        if v.size != size:
            raise ValueError(
                f"batch_normalization: {what} has shape {v.shape}, expected "
                f"{size} values to match axis {axis} of x with shape {x.shape}.")
        return v

    vectors = [vector(mean, "mean"), vector(variance, "variance")]
    if offset is not None:
        vectors.append(vector(offset, "offset"))
    if scale is not None:
        vectors.append(vector(scale, "scale"))
    node = BatchNorm(tuple(layout), float(epsilon), offset is not None,
                     scale is not None)
    return node.apply(x, *vectors)
