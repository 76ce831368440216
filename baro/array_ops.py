"""TensorFlow array ops whose signatures differ from Keras's (`tf.split` takes
sizes, `tf.where(c)` returns coordinates, `tf.pad` takes upper-case modes)."""

from __future__ import annotations

import numpy as np

from baro.core.tensor import Tensor
from baro.ops import clip as _clip
from baro.ops import concatenate as _concatenate
from baro.ops import pad as _pad
from baro.ops import split as _split
from baro.ops import squeeze as _squeeze
from baro.ops import transpose as _transpose
from baro.ops import where as _where
from baro.ops.convert import as_tensor


def concat(values, axis: int):
    """Joins tensors along `axis` (`tf.concat`)."""
    return _concatenate(values, axis=axis)


def split(value, num_or_size_splits, axis: int = 0, num=None) -> list:
    """Splits into `num_or_size_splits` equal parts, or parts of the given sizes
    (TF semantics: a list gives sizes, one of which may be -1).

    Raises:
        ValueError: If the sizes do not add up to the axis length.
    """
    value = as_tensor(value)
    if np.ndim(num_or_size_splits) == 0:
        return _split(value, int(num_or_size_splits), axis=axis)
    sizes = [int(s) for s in num_or_size_splits]
    n = value.shape[axis]
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
    if sum(sizes) != n or min(sizes) < 0:
        raise ValueError(
            f"split: sizes {list(num_or_size_splits)} do not add up to {n}, the "
            f"size of axis {axis} of shape {value.shape}."
        )
    return _split(value, list(np.cumsum(sizes)[:-1]), axis=axis)


def unstack(value, num=None, axis: int = 0) -> list:
    """Splits along `axis` into tensors with that axis removed (`tf.unstack`)."""
    value = as_tensor(value)
    parts = _split(value, value.shape[axis], axis=axis)
    return [_squeeze(p, axis=axis) for p in parts]


def where(condition, x=None, y=None):
    """With x and y: elementwise choice. Alone: an int64 (n, ndim) tensor of the
    coordinates where `condition` is true (TF semantics)."""
    if x is None and y is None:
        coords = _where(condition)
        stacked = np.stack([c.data for c in coords], axis=-1).astype(np.int64)
        return Tensor._wrap(stacked)
    return _where(condition, x, y)


def pad(tensor, paddings, mode: str = "CONSTANT", constant_values=0):
    """Pads with modes `CONSTANT`, `REFLECT` or `SYMMETRIC` (any case)."""
    return _pad(tensor, paddings, mode=mode.lower(), constant_values=constant_values)


def transpose(a, perm=None):
    """Permutes axes by `perm` (reverses them when None)."""
    return _transpose(a, perm)


def clip_by_value(t, clip_value_min, clip_value_max):
    """Clamps `t` to [min, max]; the gradient passes inside, bounds included."""
    return _clip(t, clip_value_min, clip_value_max)


def identity(x):
    """Returns x (differentiable)."""
    return as_tensor(x)
