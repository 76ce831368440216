"""Tensor: an array plus the node that produced it, the leaf of every computation."""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import convert_to_array, to_numpy
from baro.backend.config import is_float_dtype
from baro.core import tracing


class Tensor:
    """An n-dimensional array that remembers how it was computed.

    A Tensor wraps a NumPy (or CuPy) array in `data`. When it is the result of an
    operation on tensors that require gradients, `creator` is that operation's
    `Function` node, and `backward()` walks those nodes in reverse to fill `.grad`
    of the leaves. Arithmetic operators, comparisons, indexing and methods such as
    `.sum()` are bound onto this class by `baro/ops/tensor_methods.py` (one table).

    Args:
        data: A number, nested list, NumPy array or Tensor. Python floats become
            `floatx()` (float32), Python ints int32; NumPy arrays keep their dtype.
        dtype: Optional dtype to convert to.
        requires_grad: Whether backward should compute `.grad` for this leaf.
            Only floating-point tensors can require gradients.
        name: Optional name, shown in errors and in `repr`.

    Example:
        >>> import baro
        >>> x = baro.Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad.numpy()
        array([2., 4., 6.], dtype=float32)
    """

    # `_keras_mask`: the boolean mask a masking layer (Embedding(mask_zero=True),
    # Masking) attaches to its output; read with getattr(t, "_keras_mask", None).
    __slots__ = ("data", "creator", "requires_grad", "_grad", "_index", "name",
                 "_keras_mask", "__weakref__")
    # Make NumPy defer `ndarray + Tensor` to Tensor.__radd__ instead of looping.
    __array_ufunc__ = None
    __hash__ = object.__hash__

    def __init__(self, data, dtype=None, requires_grad: bool = False,
                 name: str | None = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        if dtype is not None or type(data) is not np.ndarray:
            data = convert_to_array(data, dtype)
        elif data.dtype.kind not in "biuf":
            data = convert_to_array(data)
        self.data = data
        self.creator = None
        self._grad = None
        self._index = 0
        self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data, creator=None, index: int = 0) -> Tensor:
        """Fast internal constructor for op results (no conversion, no checks)."""
        t = object.__new__(Tensor)
        if isinstance(data, np.generic):
            # Full reductions give NumPy scalars; tensors always hold arrays.
            data = np.asarray(data)
        t.data = data
        t.creator = creator
        t.requires_grad = creator is not None
        t._grad = None
        t._index = index
        t.name = None
        return t

    # -- array facts ---------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple of ints."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The element dtype (compares equal to strings such as `"float32"`)."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    @property
    def generation(self) -> int:
        """Depth of the node that made this tensor; 0 for leaves."""
        creator = self.creator
        return 0 if creator is None else creator.generation

    @property
    def is_leaf(self) -> bool:
        """True when no recorded operation produced this tensor."""
        return self.creator is None

    # -- gradients -----------------------------------------------------------------
    @property
    def grad(self) -> Tensor | None:
        """The gradient filled in by `backward()`, as a Tensor (None before)."""
        g = self._grad
        return None if g is None else Tensor._wrap(g)

    @grad.setter
    def grad(self, value) -> None:
        if value is None:
            self._grad = None
            return
        array = value.data if isinstance(value, Tensor) else convert_to_array(value)
        if array.shape != self.data.shape:
            raise ValueError(
                f"grad must have the tensor's shape {self.data.shape}, "
                f"received shape {array.shape}."
            )
        self._grad = array

    def requires_grad_(self, mode: bool = True) -> Tensor:
        """Marks this leaf as needing (or not) a gradient; returns self."""
        if mode and not is_float_dtype(self.data.dtype):
            raise TypeError(
                f"Only floating-point tensors can require gradients, this one has "
                f"dtype {self.data.dtype}. Cast it first, e.g. baro.cast(x, 'float32')."
            )
        self.requires_grad = bool(mode)
        return self

    def zero_grad(self) -> None:
        """Forgets the accumulated gradient (sets `.grad` to None)."""
        self._grad = None

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Backpropagates from this tensor, accumulating into the leaves' `.grad`.

        Args:
            grad: Seed gradient with this tensor's shape. May be omitted only when
                the tensor holds a single element (a scalar loss).
            retain_graph: Keep the saved buffers so backward can run again.

        Raises:
            ValueError: If the tensor is not a scalar and no seed is given.
            RuntimeError: If the graph was already released by an earlier backward.
        """
        from baro.core.engine import backward

        backward(self, grad, retain_graph=retain_graph)

    def detach(self) -> Tensor:
        """A tensor sharing the data but cut from the graph."""
        return Tensor._wrap(self.data)

    # -- conversion ----------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (copied to host memory when on a GPU)."""
        if tracing.active is not None:
            tracing.note_impure("a tensor's value was read (numpy())")
        return to_numpy(self.data)

    def item(self):
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape "
                f"{self.data.shape}."
            )
        if tracing.active is not None:
            tracing.note_impure("a tensor's value was read (item/float/int)")
        return self.data.item()

    def tolist(self):
        """The data as nested Python lists."""
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if tracing.active is not None:
            tracing.note_impure("a tensor became a NumPy array")
        array = to_numpy(self.data)
        return array if dtype is None else array.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if np.dtype(self.data.dtype).kind not in "iu":
            raise TypeError(f"Only integer tensors can be used as an index, "
                            f"this one has dtype {self.data.dtype}.")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"The truth value of a tensor of shape {self.data.shape} is "
                "ambiguous; use baro.reduce_any(x) or baro.reduce_all(x)."
            )
        if tracing.active is not None:
            tracing.note_impure("a tensor was used as a Python bool")
        return bool(self.data)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar).")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("Iteration over a 0-d tensor (a scalar).")
        return (self[i] for i in range(self.data.shape[0]))

    def __str__(self) -> str:
        # TF 2's print(tensor): NumPy's str of the values, then shape and dtype;
        # a multi-line array starts on its own line. Variables print their repr.
        if type(self) is not Tensor:
            return repr(self)
        array = to_numpy(self.data)
        text = str(array)
        text = "\n" + text if "\n" in text else text
        return f"baro.Tensor({text}, shape={array.shape}, dtype={array.dtype.name})"

    def __repr__(self) -> str:
        # TensorFlow's layouts: `<tf.Tensor: shape=..., dtype=..., numpy=...>` and
        # `<tf.Variable 'name' shape=... dtype=..., numpy=...>`; a 0-d value shows
        # as a number; multi-line arrays start on their own line.
        array = to_numpy(self.data)
        body = repr(array.item()) if array.ndim == 0 else repr(array)
        sep = "\n" if "\n" in body else ""
        if type(self) is not Tensor:
            return (f"<baro.{type(self).__name__} '{self.name}' shape={array.shape} "
                    f"dtype={array.dtype.name}, numpy={sep}{body}>")
        grad = ", requires_grad=True" if self.requires_grad else ""
        return (f"<baro.Tensor: shape={array.shape}, dtype={array.dtype.name}"
                f"{grad}, numpy={sep}{body}>")
