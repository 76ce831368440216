"""Turning user input into Tensors: conversion, dtype promotion, axis checks."""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import convert_to_array
from baro.backend.config import floatx
from baro.core.tensor import Tensor
from baro.ops.casting import cast_tensor

_PY_SCALARS = (int, float, bool)


def as_tensor(x, dtype=None) -> Tensor:
    """Returns `x` if it is a Tensor (cast to `dtype` if given), else converts it."""
    if isinstance(x, Tensor):
        if dtype is None or x.data.dtype == dtype:
            return x
        return cast_tensor(x, np.dtype(dtype))
    return Tensor._wrap(convert_to_array(x, dtype))


def as_float(x, op: str = "op") -> Tensor:
    """Converts `x`, casting integer and bool inputs to `floatx()` (as Keras does)."""
    t = as_tensor(x)
    kind = t.data.dtype.kind
    if kind == "f":
        return t
    if kind in "biu":
        return cast_tensor(t, np.dtype(floatx()))
    raise TypeError(f"{op}: expected a numeric tensor, received dtype {t.data.dtype}.")


def binary_operands(a, b) -> tuple[Tensor, Tensor]:
    """Converts two operands, treating Python numbers as weakly typed.

    A Python number takes the dtype of the tensor it meets (`x * 2.0` stays
    float32); an integer tensor meeting a float tensor is cast to the float's
    dtype, so no stray float64 appears (Keras promotion, not NumPy's).
    """
    a_is_tensor = isinstance(a, Tensor)
    b_is_tensor = isinstance(b, Tensor)
    if a_is_tensor and b_is_tensor:
        return _promote(a, b)
    if a_is_tensor and isinstance(b, _PY_SCALARS):
        return _with_scalar(a, b)
    if b_is_tensor and isinstance(a, _PY_SCALARS):
        b, a = _with_scalar(b, a)
        return a, b
    return _promote(as_tensor(a), as_tensor(b))


def _scalar_like(value, other: Tensor) -> Tensor:
    dtype = other.data.dtype
    if dtype.kind == "b" and not isinstance(value, bool):
        dtype = np.dtype("int32")
    if type(other.data) is np.ndarray:
        return Tensor._wrap(np.asarray(value, dtype=dtype))
    return Tensor._wrap(convert_to_array(value, dtype))


def _with_scalar(t: Tensor, value) -> tuple[Tensor, Tensor]:
    # An integer tensor meeting a Python float becomes floatx, as in Keras.
    if isinstance(value, float) and t.data.dtype.kind in "iub":
        t = cast_tensor(t, np.dtype(floatx()))
    return t, _scalar_like(value, t)


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    da = a.data.dtype
    db = b.data.dtype
    if da == db:
        return a, b
    fa = da.kind == "f"
    fb = db.kind == "f"
    if fa and not fb:
        return a, cast_tensor(b, da)
    if fb and not fa:
        return cast_tensor(a, db), b
    return a, b


def normalize_axis(axis, ndim: int, op: str) -> tuple[int, ...] | None:
    """Returns `axis` as a tuple of non-negative ints (None stays None).

    Raises:
        ValueError: If an axis is out of range for `ndim`.
    """
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    result = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} "
                f"dimension(s); valid axes are {-ndim}..{ndim - 1}."
            )
        result.append(a % ndim)
    return tuple(result)
