"""Making tensors: constant, zeros/ones, ranges, and seeded random tensors."""

from __future__ import annotations

import numpy as np

from baro.backend import random as backend_random
from baro.backend.arrays import convert_to_array, xp
from baro.backend.config import floatx, standardize_dtype
from baro.core.tensor import Tensor
from baro.ops.casting import NoGrad
from baro.ops.convert import as_tensor


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        shape = shape.data.tolist()
    if np.ndim(shape) == 0:
        return (int(shape),)
    return tuple(int(s) for s in shape)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A new tensor holding a copy of `value` (`tf.constant`).

    Args:
        value: Number, nested list or array.
        dtype: Optional dtype; Python floats become `floatx()`.
        shape: Optional shape; a scalar value is broadcast (filled) to it.
        name: Optional name.

    Example:
        >>> import baro
        >>> baro.constant(1.5, shape=(2,)).numpy()
        array([1.5, 1.5], dtype=float32)
    """
    if isinstance(value, Tensor):
        value = value.data
    array = convert_to_array(value, dtype)
    if shape is not None:
        shape = _shape(shape)
        if array.size == 1:
            array = xp().full(shape, array.reshape(()), dtype=array.dtype)
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise ValueError(
                f"constant: value has {array.size} elements, shape {shape} needs "
                f"{int(np.prod(shape))}."
            )
    else:
        array = array.copy()
    return Tensor(array, name=name)


def convert_to_tensor(value, dtype=None) -> Tensor:
    """Returns `value` as a Tensor, without copying when it already is one."""
    return as_tensor(value, dtype)


def zeros(shape, dtype=None) -> Tensor:
    """A tensor of zeros (`floatx()` unless `dtype` is given)."""
    return Tensor._wrap(xp().zeros(_shape(shape), standardize_dtype(dtype)))


def ones(shape, dtype=None) -> Tensor:
    """A tensor of ones."""
    return Tensor._wrap(xp().ones(_shape(shape), standardize_dtype(dtype)))


def fill(dims, value, dtype=None) -> Tensor:
    """A tensor of shape `dims` filled with `value` (`tf.fill`)."""
    dtype = dtype or convert_to_array(value).dtype
    return Tensor._wrap(xp().full(_shape(dims), value, dtype=standardize_dtype(dtype)))


def zeros_like(x, dtype=None) -> Tensor:
    """Zeros with x's shape (and dtype unless given)."""
    x = as_tensor(x)
    return Tensor._wrap(xp().zeros(x.shape, dtype or x.dtype))


def ones_like(x, dtype=None) -> Tensor:
    """Ones with x's shape (and dtype unless given)."""
    x = as_tensor(x)
    return Tensor._wrap(xp().ones(x.shape, dtype or x.dtype))


def eye(num_rows: int, num_columns: int | None = None, dtype=None) -> Tensor:
    """An identity matrix."""
    return Tensor._wrap(xp().eye(num_rows, num_columns, dtype=standardize_dtype(dtype)))


def range(start, limit=None, delta=1, dtype=None) -> Tensor:  # noqa: A001 - TF name
    """Evenly spaced values in [start, limit) (`tf.range`); ints give int32."""
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, limit, delta))
        dtype = "int32" if is_int else floatx()
    dtype = standardize_dtype(dtype)
    return Tensor._wrap(xp().arange(start, limit, delta, dtype=dtype))


def linspace(start, stop, num: int, dtype=None) -> Tensor:
    """`num` evenly spaced values from start to stop inclusive."""
    return Tensor._wrap(xp().linspace(start, stop, int(num)).astype(
        standardize_dtype(dtype)))


# Random draws are ops without inputs: a replayed graph (TF1 Session) draws anew.

def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal draws (`tf.random.normal`); `seed` as in `baro.backend.random`."""
    shape = _shape(shape)
    return NoGrad(lambda: backend_random.normal(shape, mean, stddev, dtype, seed),
                  "random_normal").apply()


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Uniform draws in [minval, maxval) (`tf.random.uniform`)."""
    shape = _shape(shape)
    return NoGrad(lambda: backend_random.uniform(shape, minval, maxval, dtype, seed),
                  "random_uniform").apply()


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal draws redrawn beyond two standard deviations."""
    shape = _shape(shape)

    def draw():
        return backend_random.truncated_normal(shape, mean, stddev, dtype, seed)

    return NoGrad(draw, "truncated_normal").apply()


def shuffle(x, seed=None) -> Tensor:
    """x with its first axis randomly permuted (`tf.random.shuffle`)."""
    def permute(a):
        return a[backend_random.permutation(a.shape[0], seed=seed)]

    return NoGrad(permute, "shuffle").apply(as_tensor(x))
