"""Indexing and selection: x[key], take/gather, take_along_axis, where, one_hot."""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import convert_to_array, get_array_module
from baro.backend.config import floatx, standardize_dtype
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.casting import NoGrad, cast_tensor
from baro.ops.convert import as_tensor, binary_operands, normalize_axis


def _scatter_add(xp, target, index, values) -> None:
    """target[index] += values, adding (not overwriting) at repeated indices."""
    xp.add.at(target, index, values)


class GetItem(Function):
    """y = x[key];  dx = zeros with g written (basic) or added (advanced) at key."""

    def __init__(self, key, advanced: bool) -> None:
        self.key = key
        self.advanced = advanced

    def forward(self, x):
        self.in_shape = x.shape
        self.dtype = x.dtype
        return x[self.key]

    def backward(self, g):
        xp = get_array_module(g)
        grad = xp.zeros(self.in_shape, self.dtype)
        if self.advanced:
            # Integer arrays may repeat an index; each copy adds its gradient.
            _scatter_add(xp, grad, self.key, g)
        else:
            grad[self.key] = g
        return grad


class Take(Function):
    """y = take(x, indices, axis);  dx = g scatter-added at the indices."""

    hint = "Indices must lie in [-n, n) for an axis of size n."

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x, indices):
        self.in_shape = x.shape
        self.saved = (indices,)
        return get_array_module(x).take(x, indices, axis=self.axis)

    def backward(self, g):
        (indices,) = self.saved
        xp = get_array_module(g)
        axis = self.axis
        grad = xp.zeros(self.in_shape, g.dtype)
        if axis == 0:
            _scatter_add(xp, grad, indices, g)
            return grad, None
        index_ndim = np.ndim(indices)
        moved = xp.moveaxis(g, tuple(range(axis, axis + index_ndim)),
                            tuple(range(index_ndim)))
        _scatter_add(xp, xp.moveaxis(grad, axis, 0), indices, moved)
        return grad, None


class TakeAlongAxis(Function):
    """y = take_along_axis(x, indices, axis);  dx = g added back at the indices."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x, indices):
        self.in_shape = x.shape
        self.saved = (indices,)
        return get_array_module(x).take_along_axis(x, indices, axis=self.axis)

    def backward(self, g):
        (indices,) = self.saved
        xp = get_array_module(g)
        grad = xp.zeros(self.in_shape, g.dtype)
        # The forward's own fancy index (as NumPy builds it): arange(n_d) along
        # every other axis, which broadcasts against indices to g's shape.
        ndim = len(self.in_shape)
        index = [
            xp.arange(n).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1))
            for d, n in enumerate(self.in_shape)
        ]
        index[self.axis] = indices
        _scatter_add(xp, grad, tuple(index), g)
        return grad, None


class Where(Function):
    """y = where(c, a, b);  da = g where c, db = g where not c."""

    hint = "condition, x1 and x2 must broadcast together."

    def forward(self, condition, a, b):
        self.saved = (condition,)
        return get_array_module(a).where(condition, a, b)

    def backward(self, g):
        (condition,) = self.saved
        xp = get_array_module(g)
        zero = xp.zeros((), g.dtype)
        return None, xp.where(condition, g, zero), xp.where(condition, zero, g)


def _index_part(part):
    if isinstance(part, Tensor):
        part = part.data
    if isinstance(part, list):
        # An empty list selects nothing; NumPy would make it float64.
        part = np.asarray(part) if part else np.zeros(0, np.intp)
    return part


def _is_advanced(part) -> bool:
    # Arrays (not NumPy scalars, which index like ints) trigger advanced indexing.
    return hasattr(part, "ndim") and not isinstance(part, np.generic) and \
        (part.ndim > 0 or part.dtype == bool)


def getitem(x, key):
    """`x[key]` with ints, slices, `...`, `None`, integer and boolean arrays.

    Raises:
        IndexError: If an index is out of range.
        TypeError: If an index array is not integer or boolean.
    """
    x = as_tensor(x)
    parts = key if isinstance(key, tuple) else (key,)
    parts = tuple(_index_part(p) for p in parts)
    advanced = False
    for p in parts:
        if _is_advanced(p):
            if p.dtype.kind not in "biu":
                raise TypeError(
                    f"getitem: index arrays must be integer or boolean, received "
                    f"dtype {p.dtype}. Cast with baro.cast(index, 'int32')."
                )
            advanced = True
    key = parts if isinstance(key, tuple) else parts[0]
    try:
        return GetItem(key, advanced).apply(x)
    except IndexError as err:
        raise IndexError(f"getitem: {err} (tensor shape {x.shape}).") from None


def take(x, indices, axis=None):
    """Elements of x at integer `indices` along `axis` (None: the flattened x).

    `keras.ops.take`; `tf.gather(params, indices, axis=0)` is the same with a
    different default axis. Negative indices count from the end.

    Raises:
        IndexError: For indices outside [-n, n).
    """
    x = as_tensor(x)
    index_tensor = _integer_indices(indices, "take")
    indices = index_tensor.data
    if axis is None:
        from baro.ops.shape import reshape

        x = reshape(x, (-1,))
        axis = 0
    (axis,) = normalize_axis(axis, x.ndim, "take")
    n = x.shape[axis]
    if indices.size and (indices.max() >= n or indices.min() < -n):
        raise IndexError(
            f"take: indices must lie in [{-n}, {n}) for axis {axis} of shape "
            f"{x.shape}; received values from {int(indices.min())} to "
            f"{int(indices.max())}."
        )
    return Take(axis).apply(x, index_tensor)


def gather(params, indices, axis: int = 0):
    """TensorFlow's `tf.gather`: `take` along axis 0 by default."""
    return take(params, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    """Picks x's elements along `axis` at `indices` (same ndim as x; the other
    axes broadcast). `axis=None` works on the flattened x and 1-D indices."""
    x = as_tensor(x)
    index_tensor = _integer_indices(indices, "take_along_axis")
    indices = index_tensor.data
    if axis is None:
        from baro.ops.shape import reshape

        x = reshape(x, (-1,))
        axis = 0
    (axis,) = normalize_axis(axis, x.ndim, "take_along_axis")
    if indices.ndim != x.ndim:
        raise ValueError(
            f"take_along_axis: indices have {indices.ndim} dims, x has {x.ndim} "
            f"(shape {x.shape}); they must match."
        )
    return TakeAlongAxis(axis).apply(x, index_tensor)


def where(condition, x1=None, x2=None):
    """Picks x1 where `condition` is true and x2 elsewhere (broadcasting).

    With only `condition`, returns the indices of true elements, one int tensor
    per axis (as `keras.ops.where`).
    """
    cond = cast_tensor(as_tensor(condition), np.dtype(bool))
    if x1 is None and x2 is None:
        def nonzero(c):
            return tuple(i.astype("int32") for i in c.nonzero())

        return NoGrad(nonzero, "where").apply(cond)
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither.")
    a, b = binary_operands(x1, x2)
    return Where().apply(cond, a, b)


def one_hot(indices, depth=None, on_value=None, off_value=None, axis: int = -1,
            dtype=None, num_classes=None):
    """One-hot encodes integer `indices` into a new axis of size `depth`.

    `tf.one_hot(indices, depth)` and `keras.ops.one_hot(x, num_classes)` both work.
    Indices outside [0, depth) give an all-off row, as in TensorFlow.

    Example:
        >>> import baro
        >>> baro.one_hot([0, 2], 3).numpy()
        array([[1., 0., 0.],
               [0., 0., 1.]], dtype=float32)
    """
    depth = depth if depth is not None else num_classes
    if depth is None:
        raise ValueError("one_hot: pass depth (or num_classes).")
    depth = int(depth)
    labels = _integer_indices(indices, "one_hot")
    dtype = standardize_dtype(dtype or floatx())
    on_value = 1 if on_value is None else on_value
    off_value = 0 if off_value is None else off_value
    if axis != -1 and axis != labels.ndim:
        (axis,) = normalize_axis(axis, labels.ndim + 1, "one_hot")

    def encode(ids):
        xp = get_array_module(ids)
        on = xp.asarray(on_value, dtype=dtype)
        off = xp.asarray(off_value, dtype=dtype)
        # Out-of-range (and negative) labels match no class: an all-off row.
        result = xp.where(ids[..., None] == xp.arange(depth), on, off)
        if axis != -1 and axis != ids.ndim:
            result = xp.moveaxis(result, -1, axis)
        return result

    return NoGrad(encode, "one_hot").apply(labels)


def _integer_indices(indices, op) -> Tensor:
    """`indices` as an integer Tensor (a Tensor input keeps its identity, so a
    traced graph recomputes it)."""
    if isinstance(indices, (list, tuple)) and len(indices) == 0:
        indices = np.zeros(0, np.int32)
    tensor = indices if isinstance(indices, Tensor) else \
        Tensor._wrap(convert_to_array(indices))
    if tensor.data.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: indices must be integers, received dtype {tensor.data.dtype}. "
            "Convert them with baro.cast(indices, 'int32')."
        )
    return tensor
