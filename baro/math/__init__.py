"""`baro.math`: TensorFlow's `tf.math` names and semantics over baro's ops.

Where TF's signature or default differs from Keras's (argmax defaults to axis 0
and int64; cumsum has `exclusive`/`reverse`), the TF behaviour is kept here and
the Keras behaviour in `baro.ops`.
"""

from __future__ import annotations

from baro.ops import (
    abs,
    add,
    ceil,
    cos,
    divide,
    equal,
    erf,
    exp,
    floor,
    floor_divide,
    greater,
    greater_equal,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softplus,
    sqrt,
    square,
    subtract,
    tanh,
)
from baro.ops import all as _all
from baro.ops import any as _any
from baro.ops import argmax as _argmax
from baro.ops import argmin as _argmin
from baro.ops import cast as _cast
from baro.ops import cumsum as _cumsum
from baro.ops import logsumexp as _logsumexp
from baro.ops import max as _max
from baro.ops import mean as _mean
from baro.ops import min as _min
from baro.ops import mod as floormod
from baro.ops import power as pow  # noqa: A001 - the TF name
from baro.ops import prod as _prod
from baro.ops import std as _std
from baro.ops import sum as _sum
from baro.ops import var as _var
from baro.ops.convert import as_tensor


def reduce_sum(input_tensor, axis=None, keepdims: bool = False):
    """Sum over `axis` (all when None)."""
    return _sum(input_tensor, axis=axis, keepdims=keepdims)


def reduce_mean(input_tensor, axis=None, keepdims: bool = False):
    """Mean over `axis` (all when None)."""
    return _mean(input_tensor, axis=axis, keepdims=keepdims)


def reduce_max(input_tensor, axis=None, keepdims: bool = False):
    """Maximum over `axis`."""
    return _max(input_tensor, axis=axis, keepdims=keepdims)


def reduce_min(input_tensor, axis=None, keepdims: bool = False):
    """Minimum over `axis`."""
    return _min(input_tensor, axis=axis, keepdims=keepdims)


def reduce_prod(input_tensor, axis=None, keepdims: bool = False):
    """Product over `axis`."""
    return _prod(input_tensor, axis=axis, keepdims=keepdims)


def reduce_variance(input_tensor, axis=None, keepdims: bool = False):
    """Population variance over `axis`."""
    return _var(input_tensor, axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims: bool = False):
    """Population standard deviation over `axis`."""
    return _std(input_tensor, axis=axis, keepdims=keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims: bool = False):
    """`log(sum(exp(x)))` over `axis`, computed stably."""
    return _logsumexp(input_tensor, axis=axis, keepdims=keepdims)


def reduce_any(input_tensor, axis=None, keepdims: bool = False):
    """Logical or over `axis`."""
    return _any(input_tensor, axis=axis, keepdims=keepdims)


def reduce_all(input_tensor, axis=None, keepdims: bool = False):
    """Logical and over `axis`."""
    return _all(input_tensor, axis=axis, keepdims=keepdims)


def argmax(input, axis=None, output_type="int64"):  # noqa: A002 - the TF name
    """Index of the largest value along `axis`, which defaults to 0 (as TF)."""
    return _cast(_argmax(input, axis=0 if axis is None else axis), output_type)


def argmin(input, axis=None, output_type="int64"):  # noqa: A002 - the TF name
    """Index of the smallest value along `axis`, which defaults to 0 (as TF)."""
    return _cast(_argmin(input, axis=0 if axis is None else axis), output_type)


def cumsum(x, axis: int = 0, exclusive: bool = False, reverse: bool = False):
    """Cumulative sum along `axis` (default 0, as TF).

    Args:
        exclusive: Leave out the current element (the first output is 0).
        reverse: Sum from the end of the axis towards the start.

    Example:
        >>> import baro
        >>> baro.cumsum([1.0, 2.0, 3.0], exclusive=True, reverse=True).numpy()
        array([5., 3., 0.], dtype=float32)
    """
    x = as_tensor(x)
    inclusive = _cumsum(x, axis=axis)
    if not reverse:
        return inclusive - x if exclusive else inclusive
    # The reversed sums are the total minus what came before each element.
    total = _sum(x, axis=axis, keepdims=True)
    return total - inclusive if exclusive else total - inclusive + x


def divide_no_nan(x, y):
    """`x / y`, but 0 where y == 0."""
    from baro.ops import where

    x = as_tensor(x)
    y = as_tensor(y)
    zero = equal(y, 0)
    return where(zero, 0.0, divide(x, where(zero, 1.0, y)))


def reciprocal(x):
    """`1 / x`."""
    return divide(1.0, x)


def truediv(x, y):
    """`x / y` with float results."""
    return divide(x, y)


def squared_difference(x, y):
    """`(x - y) ** 2`."""
    return square(subtract(x, y))


__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("annotations", "as_tensor")]
