"""Variable: a named, mutable leaf tensor that training updates in place."""

from __future__ import annotations

from baro.backend.arrays import convert_to_array
from baro.backend.config import is_float_dtype, standardize_dtype
from baro.core import tracing
from baro.core.function import Function
from baro.core.tensor import Tensor

# Bumped whenever which variables exist or train may have changed (a Variable
# made, `trainable` set, a layer tracking a new sub-layer or weight): compiled
# training steps keyed on it retrace instead of walking every layer per step.
structure_version = [0]


class Variable(Tensor):
    """A named leaf whose value changes in place (weights, optimizer state).

    A trainable float Variable requires gradients, so every operation on it is
    recorded and `GradientTape` / `backward()` reach it without `watch`.
    `assign*` write into the same buffer, so views of it stay valid.

    Args:
        initial_value: A number, list, array or Tensor; or a callable returning one.
            Keras initializers are called as `initializer(shape, dtype)` when `shape`
            is given.
        trainable: Whether gradients are computed for it (default True).
        name: Name shown in `repr` and used when saving (default "variable").
        dtype: Optional dtype; Python floats become `floatx()`.
        shape: Shape for a callable `initial_value`.
        constraint: Optional callable applied to the value after each optimizer
            update (Keras constraints such as `MaxNorm`).

    Example:
        >>> import baro
        >>> v = baro.Variable([1.0, 2.0], name="w")
        >>> _ = v.assign_sub([0.5, 0.5])
        >>> v.numpy()
        array([0.5, 1.5], dtype=float32)
    """

    __slots__ = ("_trainable", "constraint", "path")

    def __init__(self, initial_value=None, trainable: bool = True,
                 name: str | None = None, dtype=None, shape=None,
                 constraint=None) -> None:
        if initial_value is None:
            raise ValueError("Variable needs an initial_value (or an initializer).")
        if callable(initial_value) and not isinstance(initial_value, Tensor):
            if shape is not None:
                initial_value = initial_value(tuple(shape), standardize_dtype(dtype))
            else:
                initial_value = initial_value()
        if isinstance(initial_value, Tensor):
            initial_value = initial_value.data
        data = convert_to_array(initial_value, dtype)
        # A Variable owns its buffer: in-place assigns must never write into an
        # array the caller still holds.
        data = data.copy()
        if shape is not None and tuple(shape) != data.shape:
            raise ValueError(
                f"Variable '{name}': initial value has shape {data.shape}, "
                f"expected shape {tuple(shape)}."
            )
        super().__init__(data, name=name or "variable")
        structure_version[0] += 1
        self._trainable = bool(trainable)
        self.requires_grad = self._trainable and is_float_dtype(data.dtype)
        self.constraint = constraint
        # "dense/kernel" once a layer owns it (Keras's variable.path); saving keys.
        self.path = self.name

    @property
    def trainable(self) -> bool:
        """Whether optimizers update it and gradients are computed for it."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        structure_version[0] += 1
        self.requires_grad = self._trainable and is_float_dtype(self.data.dtype)

    @property
    def value(self) -> Variable:
        """The variable itself, usable wherever a Tensor is (Keras's `.value`)."""
        return self

    def _incoming(self, value, op: str):
        array = value.data if isinstance(value, Tensor) else value
        if not hasattr(array, "shape"):
            array = convert_to_array(array)
        # A scalar broadcasts into any variable (TF allows v.assign_add(1.0)).
        if array.shape != self.data.shape and array.ndim != 0:
            raise ValueError(
                f"Variable '{self.name}'.{op}: value has shape {array.shape}, "
                f"the variable has shape {self.data.shape}. Shapes must match."
            )
        return array

    def assign(self, value) -> Variable:
        """Writes `value` into the variable's buffer; returns the variable."""
        self.data[...] = self._incoming(value, "assign")
        if tracing.active is not None:
            _record_assign(self, value, "assign")
        return self

    def assign_add(self, delta) -> Variable:
        """Adds `delta` in place; returns the variable."""
        self.data += self._incoming(delta, "assign_add")
        if tracing.active is not None:
            _record_assign(self, delta, "assign_add")
        return self

    def assign_sub(self, delta) -> Variable:
        """Subtracts `delta` in place; returns the variable."""
        self.data -= self._incoming(delta, "assign_sub")
        if tracing.active is not None:
            _record_assign(self, delta, "assign_sub")
        return self


class AssignStep(Function):
    """A traced `assign`: replaying a plan writes into the variable again
    (BatchNormalization's moving statistics, say). Not differentiable."""

    differentiable = False

    def __init__(self, variable: Variable, how: str) -> None:
        self.variable = variable
        self.how = how

    def forward(self, value):
        data = self.variable.data
        if self.how == "assign":
            data[...] = value
        elif self.how == "assign_add":
            data += value
        else:
            data -= value
        return value


def _record_assign(variable: Variable, value, how: str) -> None:
    # Only a value computed by traced ops can be recomputed on replay; anything
    # else (an array made in Python) makes the trace impure.
    if isinstance(value, Tensor):
        # A fresh output tensor, so the value's own slot keeps its consumers.
        tracing.active.append((AssignStep(variable, how), (value,),
                               Tensor._wrap(value.data)))
    else:
        tracing.note_impure(f"variable {variable.name!r} was assigned a value "
                            "computed outside the traced ops")
