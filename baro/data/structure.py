"""Element structures: nested tuples and dicts of arrays, and their `TensorSpec`s.

A dataset element is a *structure*: one array, a tuple of structures or a dict of
structures (TensorFlow's "nest"). Inside `baro.data` every leaf is a NumPy array
(0-d for scalars); users see the leaves as baro Tensors. Lists are leaves, not
structures, as in `tf.data`: `from_tensor_slices([1, 2, 3])` is one tensor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from baro.backend.arrays import convert_to_array, to_numpy
from baro.backend.config import standardize_dtype
from baro.core import Tensor


class TensorSpec:
    """The shape and dtype of one component of a dataset element (`tf.TensorSpec`).

    Args:
        shape: A tuple of ints and None (unknown sizes), or None for an unknown
            rank.
        dtype: The element dtype (default `"float32"`).
        name: Optional name.

    Example:
        >>> import baro
        >>> baro.data.TensorSpec(shape=(None, 3), dtype=baro.int32)
        TensorSpec(shape=(None, 3), dtype=baro.int32, name=None)
    """

    def __init__(self, shape, dtype: Any = "float32", name: str | None = None) -> None:
        self.shape = None if shape is None else tuple(
            None if d is None else int(d) for d in shape)
        # NumPy dtypes pass as they are (string columns included); names such
        # as "float32" or baro.float32 go through baro's dtype rules.
        self.dtype = dtype if isinstance(dtype, np.dtype) else \
            np.dtype(standardize_dtype(dtype))
        self.name = name

    @classmethod
    def from_array(cls, array) -> TensorSpec:
        """The spec of one array (its full shape)."""
        return cls(np.shape(array), np.asarray(array).dtype)

    def is_compatible_with(self, array) -> bool:
        """Whether `array`'s shape fits this spec (None matches any size)."""
        return shape_fits(self.shape, np.shape(array))

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and (self.shape, self.dtype, self.name) \
            == (other.shape, other.dtype, other.name)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self) -> str:
        # Strings stay NumPy arrays in baro; they print as TF's tf.string does.
        dtype = "string" if self.dtype.kind in "USO" else f"baro.{self.dtype.name}"
        return f"TensorSpec(shape={self.shape}, dtype={dtype}, name={self.name!r})"


def shape_fits(spec_shape, shape) -> bool:
    """Whether a concrete `shape` fits `spec_shape` (None = any size / any rank)."""
    if spec_shape is None:
        return True
    if len(spec_shape) != len(shape):
        return False
    return all(s is None or s == d for s, d in zip(spec_shape, shape, strict=True))


def is_structure(value) -> bool:
    return isinstance(value, (tuple, dict))


def flatten(structure) -> list:
    """The leaves in a fixed order (tuple order; dict keys sorted, as tf.nest)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_like(structure, leaves: Iterable):
    """Rebuilds `structure`'s nesting around `leaves` (the inverse of flatten)."""
    leaves = iter(leaves)

    def build(node):
        if isinstance(node, dict):
            built = {key: build(node[key]) for key in sorted(node)}
            return {key: built[key] for key in node}
        if isinstance(node, tuple):
            items = [build(item) for item in node]
            return type(node)(*items) if hasattr(node, "_fields") else tuple(items)
        return next(leaves)

    return build(structure)


def map_structure(fn: Callable, structure):
    """Applies `fn` to every leaf, keeping the nesting."""
    return pack_like(structure, [fn(leaf) for leaf in flatten(structure)])


def same_structure(a, b) -> bool:
    """Whether two structures nest the same way (same tuple lengths, dict keys)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) \
            and all(same_structure(a[k], b[k]) for k in a)
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) \
            and all(same_structure(x, y) for x, y in zip(a, b, strict=True))
    return True


def to_array(value, dtype=None) -> np.ndarray:
    """One leaf as a NumPy array, with TensorFlow's conversion rules.

    Tensors give their data; Python floats become `floatx()` and Python ints int32
    (as `tf.constant` does); NumPy arrays keep their dtype; strings stay NumPy
    string arrays (baro tensors are numeric, so those leaves stay arrays).
    """
    if isinstance(value, Tensor):
        array = to_numpy(value.data)
    elif isinstance(value, np.ndarray):
        array = value
    elif np.asarray(value).dtype.kind in "biuf":
        array = to_numpy(convert_to_array(value))
    else:
        array = np.asarray(value)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def normalize(structure, lists_are_tuples: bool = False):
    """A user structure (Tensors, lists, numbers) as a structure of NumPy arrays.

    Args:
        structure: What a user passed or a mapped function returned.
        lists_are_tuples: Treat a top-level list as a tuple (what `Dataset.map`
            does with a function that returns a list).
    """
    if lists_are_tuples and isinstance(structure, list):
        structure = tuple(structure)
    if structure is None:
        raise TypeError("A dataset element cannot be None; return or pass arrays "
                        "or tensors (a tuple `(x, y)` for pairs).")
    return map_structure(to_array, structure)


def to_user(array):
    """A leaf as users see it: a baro Tensor (numeric) or the NumPy array."""
    if array.dtype.kind in "biuf":
        return Tensor(array)
    return array


def to_numpy_value(array):
    """A leaf as `as_numpy_iterator` gives it: 0-d arrays become NumPy scalars."""
    if isinstance(array, np.ndarray) and array.ndim == 0:
        return array[()]
    return array


def spec_of(element):
    """The spec structure of one concrete element (fully known shapes)."""
    return map_structure(TensorSpec.from_array, element)


def merge_specs(a, b):
    """The most specific spec both `a` and `b` fit; None if dtypes differ."""
    if a.dtype != b.dtype:
        if a.dtype.kind != b.dtype.kind or a.dtype.kind not in "US":
            return None
        a = TensorSpec(a.shape, max(a.dtype, b.dtype, key=lambda d: d.itemsize))
    if a.shape is None or b.shape is None or len(a.shape) != len(b.shape):
        return TensorSpec(None, a.dtype)
    shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape, strict=True))
    return TensorSpec(shape, a.dtype)
