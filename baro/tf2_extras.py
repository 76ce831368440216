"""TensorFlow 2 top-level names that are not ops: `shape`, `rank`, `size`,
`TensorSpec`, `newaxis`, `is_tensor`, `executing_eagerly`, `device`, and the
layout of `print(tensor)`.

`import baro as tf` code uses these between the ops: `tf.shape(x)[0]` for the
batch size, `x[..., tf.newaxis]` to add a channel axis, `with tf.device(...)`
around a training loop, `@tf.function(input_signature=[tf.TensorSpec(...)])`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from baro.core import Tensor

# `x[..., tf.newaxis]` (TF's alias of None, as NumPy's np.newaxis).
newaxis = None


def _int_dtype(out_type, op: str) -> np.dtype:
    dtype = np.dtype(out_type)
    if dtype not in (np.dtype("int32"), np.dtype("int64")):
        raise TypeError(f"{op}: out_type must be int32 or int64, received "
                        f"{out_type!r}.")
    return dtype


def _array_shape(x) -> tuple[int, ...]:
    if isinstance(x, Tensor):
        return x.shape
    shape = getattr(x, "shape", None)  # NumPy arrays, symbolic tensors
    if shape is not None:
        if any(d is None for d in shape):
            raise ValueError(
                f"shape: {x!r} has unknown dimensions {tuple(shape)}; baro runs "
                "eagerly, so call it on a concrete tensor (inside a layer's call, "
                "or x.shape for the static shape).")
        return tuple(int(d) for d in shape)
    return np.shape(x)


def shape(input, out_type="int32", name: str | None = None) -> Tensor:  # noqa: A002
    """The shape of `input` as a 1-D integer Tensor (`tf.shape`).

    Args:
        input: A Tensor, array, or nested list.
        out_type: "int32" (default, as TF) or "int64".
        name: Ignored (TF's op name).

    Returns:
        A Tensor of shape `(rank,)`.

    Raises:
        TypeError: For an `out_type` other than int32 or int64.

    Example:
        >>> import baro
        >>> from baro.tf2_extras import shape
        >>> print(shape(baro.zeros((2, 3))).numpy())
        [2 3]
    """
    dtype = _int_dtype(out_type, "shape")
    return Tensor(np.array(_array_shape(input), dtype=dtype))


def rank(input, name: str | None = None) -> Tensor:  # noqa: A002
    """The number of axes of `input`, an int32 scalar Tensor (`tf.rank`).

    Example:
        >>> from baro.tf2_extras import rank
        >>> int(rank([[1, 2], [3, 4]]))
        2
    """
    return Tensor(np.array(len(_array_shape(input)), dtype=np.int32))


def size(input, out_type="int32", name: str | None = None) -> Tensor:  # noqa: A002
    """The number of elements of `input`, an integer scalar Tensor (`tf.size`).

    Raises:
        TypeError: For an `out_type` other than int32 or int64.

    Example:
        >>> import baro
        >>> from baro.tf2_extras import size
        >>> int(size(baro.zeros((2, 3))))
        6
    """
    dtype = _int_dtype(out_type, "size")
    return Tensor(np.array(int(np.prod(_array_shape(input))), dtype=dtype))


def is_tensor(x) -> bool:
    """True for baro Tensors and Variables (`tf.is_tensor`); False for arrays."""
    return isinstance(x, Tensor)


def executing_eagerly() -> bool:
    """Always True (`tf.executing_eagerly`): baro runs every op when called,
    also inside `@tf.function`."""
    return True


@contextlib.contextmanager
def device(device_name: str | None) -> Iterator[None]:
    """`with tf.device("/GPU:0"):` is accepted and does nothing: baro places
    every tensor on its backend's device (NumPy: CPU; CuPy: the current GPU).

    Raises:
        TypeError: If `device_name` is neither a string nor None.
    """
    if device_name is not None and not isinstance(device_name, str):
        raise TypeError(f"device expects a device string such as '/CPU:0' or "
                        f"'/GPU:0', received {device_name!r}.")
    yield


class TensorSpec:
    """The shape and dtype of a tensor argument (`tf.TensorSpec`), for
    `tf.function(input_signature=[...])`.

    Args:
        shape: A tuple or list of sizes, None for an unknown size; or None for
            an unknown rank.
        dtype: The dtype (default float32).
        name: Optional name.

    Example:
        >>> import baro
        >>> from baro.tf2_extras import TensorSpec
        >>> spec = TensorSpec(shape=(None, 3))
        >>> spec.is_compatible_with(baro.zeros((5, 3)))
        True
        >>> spec
        TensorSpec(shape=(None, 3), dtype=baro.float32, name=None)
    """

    def __init__(self, shape, dtype="float32", name: str | None = None) -> None:
        if shape is not None:
            if np.ndim(shape) == 0 and not isinstance(shape, (list, tuple)):
                raise TypeError(f"TensorSpec: shape must be a list or tuple of "
                                f"sizes (None for unknown), received {shape!r}.")
            shape = tuple(None if d is None else int(d) for d in shape)
        self.shape = shape
        self.dtype = np.dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name: str | None = None) -> TensorSpec:
        """The spec of an existing tensor or array."""
        array = tensor if isinstance(tensor, Tensor) else np.asarray(tensor)
        return cls(array.shape, array.dtype, name)

    def is_compatible_with(self, other) -> bool:
        """Whether `other` (a tensor, array or spec) fits: same dtype, same
        rank, equal sizes where both are known."""
        other_shape = getattr(other, "shape", None)
        if other_shape is None and not isinstance(other, TensorSpec):
            other = np.asarray(other)
            other_shape = other.shape
        if np.dtype(other.dtype) != self.dtype:
            return False
        if self.shape is None or other_shape is None:
            return True
        return len(self.shape) == len(other_shape) and all(
            a is None or b is None or a == b
            for a, b in zip(self.shape, other_shape, strict=True))

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and (self.shape, self.dtype,
                                                  self.name) == (
            other.shape, other.dtype, other.name)

    __hash__ = None  # mutable attributes, as TF's spec compares by value

    def __repr__(self) -> str:
        name = None if self.name is None else repr(self.name)
        return (f"TensorSpec(shape={self.shape}, dtype=baro.{self.dtype.name}, "
                f"name={name})")


def format_tensor_like_tf(tensor: Tensor) -> str:
    """What TF 2's `print(tensor)` shows, with baro's class names.

    A Tensor prints as `baro.Tensor(<NumPy str>, shape=(...), dtype=...)`, a
    Variable as `<baro.Variable 'name' shape=(...) dtype=..., numpy=<NumPy
    repr>>`; values that span several lines start on a line of their own, as
    in TensorFlow (`tf.Tensor(...)` / `<tf.Variable ...>`).

    Args:
        tensor: A baro Tensor or Variable.

    Returns:
        The text.

    Raises:
        TypeError: If `tensor` is not a baro Tensor.

    Example:
        >>> import baro
        >>> from baro.tf2_extras import format_tensor_like_tf
        >>> print(format_tensor_like_tf(baro.constant([1.0, 2.0])))
        baro.Tensor([1. 2.], shape=(2,), dtype=float32)
        >>> print(format_tensor_like_tf(baro.constant([[1, 2], [3, 4]])))
        baro.Tensor(
        [[1 2]
         [3 4]], shape=(2, 2), dtype=int32)
        >>> print(format_tensor_like_tf(baro.Variable([1.0, 2.0], name="w")))
        <baro.Variable 'w' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """  # noqa: E501 - the doctest shows one printed line
    if not isinstance(tensor, Tensor):
        raise TypeError(f"format_tensor_like_tf expects a baro Tensor, received "
                        f"{type(tensor).__name__}.")
    return str(tensor)


__all__ = ["TensorSpec", "device", "executing_eagerly", "format_tensor_like_tf",
           "is_tensor", "newaxis", "rank", "shape", "size"]
