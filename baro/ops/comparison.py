"""Comparisons and logic. Results are bool tensors and carry no gradient."""

from __future__ import annotations

import numpy as np

from baro.ops.casting import NoGrad
from baro.ops.convert import as_tensor, binary_operands


def _compare(ufunc, op):
    def compare(x1, x2):
        a, b = binary_operands(x1, x2)
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(
                f"{op}: shapes {a.shape} and {b.shape} do not broadcast together."
            ) from None
        return NoGrad(ufunc, op).apply(a, b)

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
    return NoGrad(np.logical_not, "logical_not").apply(as_tensor(x))


def isnan(x):
    """True where x is NaN."""
    return NoGrad(np.isnan, "isnan").apply(as_tensor(x))


def isinf(x):
    """True where x is +inf or -inf."""
    return NoGrad(np.isinf, "isinf").apply(as_tensor(x))


def isfinite(x):
    """True where x is neither NaN nor infinite."""
    return NoGrad(np.isfinite, "isfinite").apply(as_tensor(x))


def floor_divide(x1, x2):
    """Elementwise `x1 // x2` (piecewise constant: no gradient)."""
    a, b = binary_operands(x1, x2)
    return NoGrad(np.floor_divide, "floor_divide").apply(a, b)


def mod(x1, x2):
    """Elementwise `x1 % x2` with the divisor's sign, as Python (no gradient)."""
    a, b = binary_operands(x1, x2)
    return NoGrad(np.mod, "mod").apply(a, b)
