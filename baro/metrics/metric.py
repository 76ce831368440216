"""The Metric base class: state in non-trainable Variables, updated batch by batch.

Metrics accumulate outside any graph: `update_state` works on raw NumPy arrays
and adds into its Variables in place; `result()` turns the state into a value.
"""

from __future__ import annotations

import re

import numpy as np

from baro.backend.arrays import to_numpy
from baro.backend.config import is_float_dtype, standardize_dtype
from baro.core.tensor import Tensor
from baro.core.variable import Variable
from baro.saving.registry import register_serializable


def to_array(x, dtype=None) -> np.ndarray:
    """A NumPy array of `x` (Tensor, array, list or number), cast to `dtype`."""
    if isinstance(x, Tensor):
        x = to_numpy(x.data)
    array = np.asarray(x)
    return array if dtype is None else array.astype(dtype, copy=False)


def _snake_case(name: str) -> str:
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


@register_serializable()
class Metric:
    """Base class of stateful metrics (`keras.metrics.Metric`).

    A subclass creates its state in `__init__` with `add_variable` and writes
    `update_state(y_true, y_pred, sample_weight=None)` (accumulate one batch)
    and `result()` (the value so far). Calling the metric does both.

    Args:
        name: Name of the metric (default: the class name in snake case).
        dtype: Float dtype of the state and result (default `floatx()`).

    Raises:
        ValueError: If dtype is not a float dtype.

    Example:
        >>> from baro import metrics
        >>> class Count(metrics.Metric):
        ...     def __init__(self, name="count", dtype=None):
        ...         super().__init__(name=name, dtype=dtype)
        ...         self.n = self.add_variable((), name="n")
        ...     def update_state(self, values, sample_weight=None):
        ...         self.n.assign_add(len(values))
        ...     def result(self):
        ...         return self.n.value
        >>> m = Count()
        >>> m.update_state([1, 2, 3])
        >>> float(m.result())
        3.0
        >>> m.reset_state()
        >>> float(m.result())
        0.0
    """

    def __init__(self, name: str | None = None, dtype=None) -> None:
        self.name = name or _snake_case(type(self).__name__)
        dtype = standardize_dtype(dtype)
        if not is_float_dtype(dtype):
            raise ValueError(
                f"{type(self).__name__}: dtype must be a float dtype, received "
                f"{dtype!r}. Use 'float32' or 'float64'.")
        self.dtype = dtype
        self._variables: list[Variable] = []
        self._initial_values: list[np.ndarray] = []

    def add_variable(self, shape=(), initializer="zeros", dtype=None,
                     name: str | None = None) -> Variable:
        """Creates a non-trainable state Variable that `reset_state` restores.

        Args:
            shape: Shape of the variable (default () for a scalar).
            initializer: "zeros" (default), "ones", a number, or a callable
                `initializer(shape, dtype)` such as a Keras initializer.
            dtype: Default: the metric's dtype.
            name: Default "variable_<index>".

        Returns:
            The Variable.
        """
        shape = tuple(int(n) for n in shape)
        dtype = standardize_dtype(dtype or self.dtype)
        if isinstance(initializer, str):
            fills = {"zeros": 0.0, "ones": 1.0}
            if initializer not in fills:
                raise ValueError(
                    f"{type(self).__name__}.add_variable: initializer must be "
                    f"'zeros', 'ones', a number or a callable, received "
                    f"{initializer!r}.")
            value = np.full(shape, fills[initializer], dtype=dtype)
        elif callable(initializer):
            value = to_array(initializer(shape, dtype), dtype)
        else:
            value = np.broadcast_to(to_array(initializer, dtype), shape).copy()
        variable = Variable(value, trainable=False, dtype=dtype,
                            name=name or f"variable_{len(self._variables)}")
        self._variables.append(variable)
        self._initial_values.append(value)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None,
                   name: str | None = None) -> Variable:
        """Keras's older name for `add_variable` (zeros by default)."""
        return self.add_variable(shape, initializer or "zeros", dtype, name)

    @property
    def variables(self) -> list[Variable]:
        """The state variables, in creation order."""
        return list(self._variables)

    def reset_state(self) -> None:
        """Restores every state variable to its initial value."""
        for variable, value in zip(self._variables, self._initial_values,
                                   strict=True):
            variable.data[...] = value  # shapes and dtypes match by construction

    def reset_states(self) -> None:
        """tf.keras 2's name for `reset_state`."""
        self.reset_state()

    def update_state(self, *args, **kwargs) -> None:
        """Accumulates statistics from one batch; subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement update_state().")

    def result(self) -> Tensor:
        """The metric value from the state so far; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def __call__(self, *args, **kwargs) -> Tensor:
        """`update_state(*args, **kwargs)`, then `result()`."""
        self.update_state(*args, **kwargs)
        return self.result()

    def _tensor(self, value) -> Tensor:
        """A result array as a Tensor of the metric's dtype."""
        return Tensor._wrap(np.asarray(value, dtype=self.dtype))

    def get_config(self) -> dict:
        """The constructor arguments, JSON-ready."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the metric from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"
