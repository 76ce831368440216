"""Comparisons and logic. Results are bool tensors and carry no gradient."""

from __future__ import annotations

import numpy as np

from baro.core.tensor import Tensor
from baro.ops.convert import as_tensor, binary_operands


def _compare(ufunc, op):
    def compare(x1, x2):
        a, b = binary_operands(x1, x2)
        try:
            return Tensor._wrap(ufunc(a.data, b.data))
        except ValueError as err:
            raise ValueError(
                f"{op}: {err}. Received shapes {a.shape} and {b.shape}."
            ) from None

    compare.__name__ = op
    compare.__doc__ = f"Elementwise `{op}` with broadcasting; a bool tensor."
    return compare


equal = _compare(np.equal, "equal")
not_equal = _compare(np.not_equal, "not_equal")
less = _compare(np.less, "less")
less_equal = _compare(np.less_equal, "less_equal")
greater = _compare(np.greater, "greater")
greater_equal = _compare(np.greater_equal, "greater_equal")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def logical_not(x):
    """Elementwise logical not; a bool tensor."""
    return Tensor._wrap(np.logical_not(as_tensor(x).data))


def isnan(x):
    """True where x is NaN."""
    return Tensor._wrap(np.isnan(as_tensor(x).data))


def isinf(x):
    """True where x is +inf or -inf."""
    return Tensor._wrap(np.isinf(as_tensor(x).data))


def isfinite(x):
    """True where x is neither NaN nor infinite."""
    return Tensor._wrap(np.isfinite(as_tensor(x).data))


def floor_divide(x1, x2):
    """Elementwise `x1 // x2` (piecewise constant: no gradient)."""
    a, b = binary_operands(x1, x2)
    return Tensor._wrap(np.floor_divide(a.data, b.data))


def mod(x1, x2):
    """Elementwise `x1 % x2` with the divisor's sign, as Python (no gradient)."""
    a, b = binary_operands(x1, x2)
    return Tensor._wrap(np.mod(a.data, b.data))
