"""Reductions: sum, mean, max, min, prod, var, std, logsumexp, cumsum, argmax.

Every backward first restores the reduced axes (keepdims) so the gradient
broadcasts against the input. Integer sums, products and cumulative sums keep
the input's dtype (bool, int8 and int16 accumulate in int32, uint8 and uint16 in
uint32), as Keras does; NumPy alone would widen int32 to int64.
"""

from __future__ import annotations

import math

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.casting import NoGrad
from baro.ops.convert import as_float, as_tensor, normalize_axis


def _keepdims_shape(shape, axis) -> tuple[int, ...]:
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _accumulator(dtype):
    """The dtype Keras gives sum/prod/cumsum of `dtype`; None keeps NumPy's (floats)."""
    kind = dtype.kind
    if kind == "b" or (kind == "i" and dtype.itemsize < 4):
        return np.dtype("int32")
    if kind == "u" and dtype.itemsize < 4:
        return np.dtype("uint32")
    if kind in "iu":
        return dtype
    return None


def _count(shape, axis) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[i] for i in axis], dtype=np.int64))


class _Reduce(Function):
    shape = None  # the input shape seen by the last forward

    def __init__(self, axis, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def _expand(self, g, shape):
        """The output gradient reshaped to keepdims form (broadcastable to input)."""
        if self.keepdims:
            return g
        kept = self.__dict__.get("_kept")
        if kept is None or kept[0] != shape:
            kept = self._kept = (shape, _keepdims_shape(shape, self.axis))
        return g.reshape(kept[1])


_SPREAD_LIMIT = 1 << 16


def _spread(g, shape):
    """`g` (keepdims shape) repeated over `shape`.

    Small results are filled into a fresh array, because `broadcast_to` costs
    ~2.5 us of Python per call, more than the copy; large ones stay a free
    read-only view.
    """
    xp = get_array_module(g)
    if math.prod(shape) <= _SPREAD_LIMIT:
        out = xp.empty(shape, g.dtype)
        out[...] = g
        return out
    return xp.broadcast_to(g, shape)


class Sum(_Reduce):
    """y = sum(x, axis);  dx = g broadcast back over the summed axes."""

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims,
                     dtype=_accumulator(x.dtype))

    def backward(self, g):
        return _spread(self._expand(g, self.shape), self.shape)


class Mean(_Reduce):
    """y = mean(x, axis);  dx = g / n broadcast back (n = reduced count)."""

    def forward(self, x):
        if x.shape != self.shape:  # a replayed plan sees the same shape each time
            self.shape = x.shape
            self.n = _count(x.shape, self.axis)
        # sum / n: the same pairwise sum as np.mean, without its Python wrapper.
        return x.sum(axis=self.axis, keepdims=self.keepdims) / self.n

    def backward(self, g):
        return _spread(self._expand(g, self.shape) / self.n, self.shape)


class Extremum(_Reduce):
    """y = max(x) or min(x) over axis;  dx = g split evenly among tied winners."""

    def __init__(self, axis, keepdims: bool, largest: bool) -> None:
        super().__init__(axis, keepdims)
        self.largest = largest

    def forward(self, x):
        y = x.max(axis=self.axis, keepdims=True) if self.largest else \
            x.min(axis=self.axis, keepdims=True)
        self.saved = (x, y)
        if self.keepdims:
            return y
        return y.reshape(_reduced_shape(x.shape, self.axis))

    def backward(self, g):
        x, y = self.saved
        winners = x == y
        count = winners.sum(axis=self.axis, keepdims=True).astype(x.dtype)
        return winners * (self._expand(g, x.shape) / count)


class Prod(_Reduce):
    """y = prod(x, axis);  dx_i = g * prod_{j != i} x_j (exact with zeros)."""

    def forward(self, x):
        self.saved = (x,)
        return x.prod(axis=self.axis, keepdims=self.keepdims,
                      dtype=_accumulator(x.dtype))

    def backward(self, g):
        x = self.saved[0]
        xp = get_array_module(x)
        axis = self.axis if self.axis is not None else tuple(range(x.ndim))
        moved = xp.moveaxis(x, axis, tuple(range(-len(axis), 0)))
        flat = moved.reshape(moved.shape[: x.ndim - len(axis)] + (-1,))
        # prod of all others = (exclusive cumprod from the left) * (from the right).
        ones = xp.ones_like(flat[..., :1])
        left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        rev = flat[..., ::-1]
        right = xp.cumprod(xp.concatenate([ones, rev[..., :-1]], axis=-1), axis=-1)
        others = (left * right[..., ::-1]).reshape(moved.shape)
        others = xp.moveaxis(others, tuple(range(-len(axis), 0)), axis)
        return others * self._expand(g, x.shape)


def _centered(x, axis):
    """x - mean(x) over `axis`, computed on x shifted by its first element there.

    Mathematically the same; in floating point it makes a slice of equal values
    center to exactly 0 (NumPy's mean of [a, a, a] need not be a), and it is
    more accurate when the mean is large next to the spread.
    """
    first = tuple(slice(0, 1) if axis is None or i in axis else slice(None)
                  for i in range(x.ndim))
    shifted = x - x[first]
    return shifted - shifted.mean(axis=axis, keepdims=True)


class Var(_Reduce):
    """y = mean((x - mean(x))**2) (population variance, as Keras);
    dx = g * 2 (x - mean(x)) / n."""

    def forward(self, x):
        centered = _centered(x, self.axis)
        self.saved = (centered,)
        return (centered * centered).mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        centered = self.saved[0]
        n = _count(centered.shape, self.axis)
        return self._expand(g, centered.shape) * (2.0 / n) * centered


class Std(_Reduce):
    """y = sqrt(mean((x - mean(x))**2)) (population, as Keras);
    dx = g (x - mean(x)) / (n y), and dx = 0 where y = 0.

    At y = 0 (all elements equal) std is not differentiable; 0 is a subgradient
    and what torch returns. Composing sqrt(var(x)) would give 0 * inf = NaN there.
    """

    def forward(self, x):
        xp = get_array_module(x)
        centered = _centered(x, self.axis)
        y = xp.sqrt((centered * centered).mean(axis=self.axis, keepdims=True))
        self.saved = (centered, y)
        if self.keepdims:
            return y
        return y.reshape(_reduced_shape(x.shape, self.axis))

    def backward(self, g):
        centered, y = self.saved
        xp = get_array_module(centered)
        n = _count(centered.shape, self.axis)
        spread = y > 0
        scale = self._expand(g, centered.shape) / (n * xp.where(spread, y, 1))
        return xp.where(spread, scale, 0) * centered


class LogSumExp(_Reduce):
    """y = m + log(s), s = sum(exp(x - m)), m = max(x);  dx = g * exp(x - m) / s.

    The gradient is softmax(x) formed from the shifted exponentials, not
    exp(x - y): y rounds to the output precision (for x ~ 1e4 in float32 that
    is 1e-3 absolute), which exp(x - y) would turn into a 1e-3 relative error.
    A slice of all -inf gives y = -inf and, by convention, dx = 0 there (TF and
    torch return NaN).
    """

    def forward(self, x):
        xp = get_array_module(x)
        m = x.max(axis=self.axis, keepdims=True)
        # An all -inf slice would give -inf - -inf = NaN; shifting by 0 there is exact.
        m = xp.where(xp.isfinite(m), m, 0)
        e = xp.exp(x - m)
        s = e.sum(axis=self.axis, keepdims=True)
        with np.errstate(divide="ignore"):
            y = m + xp.log(s)
        self.saved = (e, s)
        if self.keepdims:
            return y
        return y.reshape(_reduced_shape(x.shape, self.axis))

    def backward(self, g):
        e, s = self.saved
        xp = get_array_module(e)
        # s = 0 only for an all -inf slice, where e = 0 too: a zero gradient.
        return self._expand(g, e.shape) * (e / xp.where(s > 0, s, 1))


class Cumsum(Function):
    """y_i = sum_{j <= i} x_j along axis;  dx = reversed cumsum of g."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        return x.cumsum(axis=self.axis, dtype=_accumulator(x.dtype))

    def backward(self, g):
        xp = get_array_module(g)
        flipped = xp.flip(g, axis=self.axis)
        return xp.flip(flipped.cumsum(axis=self.axis), axis=self.axis)


def _reduced_shape(shape, axis) -> tuple[int, ...]:
    if axis is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axis)


def _reduction(cls, x, axis, keepdims, op, float_only=False, nonempty=False,
               **kw):
    x = as_float(x, op) if float_only else as_tensor(x)
    axis = normalize_axis(axis, x.ndim, op)
    if axis is not None and len(set(axis)) != len(axis):
        raise ValueError(f"{op}: repeated axis in {axis}.")
    if nonempty:
        _check_not_empty(x.shape, axis, op)
    return cls(axis, bool(keepdims), **kw).apply(x)


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 - the Keras name
    """Sum over `axis` (all axes when None). `tf.reduce_sum`, `keras.ops.sum`.

    Example:
        >>> import baro
        >>> baro.reduce_sum([[1.0, 2.0], [3.0, 4.0]], axis=0).numpy()
        array([4., 6.], dtype=float32)
    """
    return _reduction(Sum, x, axis, keepdims, "sum")


def mean(x, axis=None, keepdims: bool = False):
    """Arithmetic mean over `axis`; integer input gives floatx (as Keras)."""
    return _reduction(Mean, x, axis, keepdims, "mean", float_only=True)


def max(x, axis=None, keepdims: bool = False):  # noqa: A001 - the Keras name
    """Largest element over `axis`; gradient split evenly among ties.

    Raises:
        ValueError: If a reduced axis is empty (a max of nothing).
    """
    return _reduction(Extremum, x, axis, keepdims, "max", nonempty=True,
                      largest=True)


def min(x, axis=None, keepdims: bool = False):  # noqa: A001 - the Keras name
    """Smallest element over `axis`; gradient split evenly among ties.

    Raises:
        ValueError: If a reduced axis is empty (a min of nothing).
    """
    return _reduction(Extremum, x, axis, keepdims, "min", nonempty=True,
                      largest=False)


def prod(x, axis=None, keepdims: bool = False):
    """Product over `axis`."""
    return _reduction(Prod, x, axis, keepdims, "prod")


def var(x, axis=None, keepdims: bool = False):
    """Population variance (divides by n, like Keras and `tf.math.reduce_variance`)."""
    return _reduction(Var, x, axis, keepdims, "var", float_only=True)


def std(x, axis=None, keepdims: bool = False):
    """Population standard deviation, `sqrt(var(x))`; its gradient is 0 where all
    reduced elements are equal."""
    return _reduction(Std, x, axis, keepdims, "std", float_only=True)


def logsumexp(x, axis=None, keepdims: bool = False):
    """`log(sum(exp(x)))` over `axis`, stable for large x."""
    return _reduction(LogSumExp, x, axis, keepdims, "logsumexp", float_only=True)


def cumsum(x, axis=None):
    """Cumulative sum along `axis`; None flattens first (as NumPy and Keras)."""
    x = as_tensor(x)
    if axis is None:
        from baro.ops.shape import reshape

        x = reshape(x, (-1,))
        axis = 0
    (axis,) = normalize_axis(axis, x.ndim, "cumsum")
    return Cumsum(axis).apply(x)


def argmax(x, axis=None, keepdims: bool = False):
    """Index of the largest element along `axis` (int32, no gradient)."""
    return _arg(x, axis, keepdims, "argmax")


def argmin(x, axis=None, keepdims: bool = False):
    """Index of the smallest element along `axis` (int32, no gradient)."""
    return _arg(x, axis, keepdims, "argmin")


def _arg(x, axis, keepdims, op):
    x = as_tensor(x)
    if axis is not None:
        (axis,) = normalize_axis(axis, x.ndim, op)
    _check_not_empty(x.shape, None if axis is None else (axis,), op)
    if op == "argmax":
        def fn(a):
            return a.argmax(axis=axis, keepdims=keepdims).astype("int32")
    else:
        def fn(a):
            return a.argmin(axis=axis, keepdims=keepdims).astype("int32")
    return NoGrad(fn, op).apply(x)


def any(x, axis=None, keepdims: bool = False):  # noqa: A001 - the Keras name
    """True where any element along `axis` is nonzero (`tf.reduce_any`)."""
    x = as_tensor(x)
    axis = normalize_axis(axis, x.ndim, "any")
    return NoGrad(lambda a: a.any(axis=axis, keepdims=keepdims), "any").apply(x)


def all(x, axis=None, keepdims: bool = False):  # noqa: A001 - the Keras name
    """True where every element along `axis` is nonzero (`tf.reduce_all`)."""
    x = as_tensor(x)
    axis = normalize_axis(axis, x.ndim, "all")
    return NoGrad(lambda a: a.all(axis=axis, keepdims=keepdims), "all").apply(x)


def _check_not_empty(shape, axis, op):
    """Raises when a reduced axis (any axis when `axis` is None) has size 0."""
    reduced = shape if axis is None else [shape[i] for i in axis]
    if 0 in reduced:
        raise ValueError(
            f"{op}: cannot reduce over an empty axis; the tensor has shape {shape}"
            f" and axis={axis}."
        )
