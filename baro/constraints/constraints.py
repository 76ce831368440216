"""Weight constraints (`keras.constraints`): projections applied to a weight
after each optimizer update (`Variable.constraint`).

A constraint returns the same kind it is given: a Tensor for a Tensor (or
Variable), a raw array for a raw array, so optimizers can project `.data`
directly. Norms follow Keras exactly, including where epsilon goes:
w * desired / (epsilon + norm).
"""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.config import epsilon
from baro.core.tensor import Tensor
from baro.saving.registry import register_serializable


def _norms(w: Tensor, axis) -> Tensor:
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


def _number(value, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not value >= 0:
        raise ValueError(
            f"{owner}: {name} must be a non-negative number, received "
            f"{name}={value!r}.")
    return value


def _axis_config(axis):
    return list(axis) if isinstance(axis, tuple) else axis


@register_serializable()
class Constraint:
    """Base class: `constraint(w)` returns `w` projected (here: unchanged).

    Override `__call__(w)` as in Keras, or override `project(w)` (Tensor in,
    Tensor out) and `__call__` also handles raw arrays for you.

    Example:
        >>> import baro
        >>> from baro.constraints import Constraint
        >>> class Halve(Constraint):
        ...     def project(self, w):
        ...         return w * 0.5
        >>> Halve()(baro.Tensor([2.0])).numpy()
        array([1.], dtype=float32)
    """

    def __call__(self, w):
        """Projects `w`; a Tensor gives a Tensor, a raw array a raw array."""
        if isinstance(w, Tensor):
            return self.project(w)
        return self.project(ops.convert_to_tensor(w)).data

    def project(self, w: Tensor) -> Tensor:
        """The projection on a Tensor; subclasses override this (identity)."""
        return w

    def get_config(self) -> dict:
        """The constructor arguments as a JSON-ready dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        """Rebuilds a constraint from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@register_serializable()
class MaxNorm(Constraint):
    """Caps the norm of each weight vector along `axis` at `max_value`.

    w <- w * clip(n, 0, max_value) / (epsilon + n), n = ||w|| over `axis`.

    Args:
        max_value: Largest allowed norm (default 2).
        axis: Axis (or list of axes) the norm runs over (default 0: each
            column of a Dense kernel; `[0, 1, 2]` for a Conv2D kernel).

    Raises:
        ValueError: If `max_value` is negative.

    Example:
        >>> import baro
        >>> from baro.constraints import MaxNorm
        >>> MaxNorm(1.0)(baro.Tensor([[3.0], [4.0]])).numpy()
        array([[0.6],
               [0.8]], dtype=float32)
    """

    def __init__(self, max_value: float = 2, axis: int | list[int] = 0) -> None:
        self.max_value = _number(max_value, "max_value", "MaxNorm")
        self.axis = axis

    def project(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": _axis_config(self.axis)}


@register_serializable()
class NonNeg(Constraint):
    """w <- max(w, 0).

    Example:
        >>> import baro
        >>> from baro.constraints import NonNeg
        >>> NonNeg()(baro.Tensor([-1.0, 2.0])).numpy()
        array([0., 2.], dtype=float32)
    """

    def project(self, w: Tensor) -> Tensor:
        return ops.maximum(w, 0.0)


@register_serializable()
class UnitNorm(Constraint):
    """w <- w / (epsilon + ||w||), the norm over `axis`.

    Args:
        axis: Axis (or list of axes) the norm runs over (default 0).

    Example:
        >>> import baro
        >>> from baro.constraints import UnitNorm
        >>> UnitNorm(axis=1)(baro.Tensor([[3.0, 4.0]])).numpy()
        array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis: int | list[int] = 0) -> None:
        self.axis = axis

    def project(self, w: Tensor) -> Tensor:
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": _axis_config(self.axis)}


@register_serializable()
class MinMaxNorm(Constraint):
    """Moves each weight vector's norm into [min_value, max_value].

    desired = rate * clip(n, min_value, max_value) + (1 - rate) * n,
    w <- w * desired / (epsilon + n), n = ||w|| over `axis`. rate = 1 enforces
    the bounds at once; rate < 1 moves towards them step by step.

    Args:
        min_value: Smallest allowed norm (default 0.0).
        max_value: Largest allowed norm (default 1.0).
        rate: Enforcement rate in [0, 1] (default 1.0).
        axis: Axis (or list of axes) the norm runs over (default 0).

    Raises:
        ValueError: For negative bounds, min_value > max_value, or a rate
            outside [0, 1].

    Example:
        >>> import baro
        >>> from baro.constraints import MinMaxNorm
        >>> MinMaxNorm(2.0, 3.0)(baro.Tensor([[0.6], [0.8]])).numpy().round(4)
        array([[1.2],
               [1.6]], dtype=float32)
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0,
                 rate: float = 1.0, axis: int | list[int] = 0) -> None:
        self.min_value = _number(min_value, "min_value", "MinMaxNorm")
        self.max_value = _number(max_value, "max_value", "MinMaxNorm")
        if min_value > max_value:
            raise ValueError(
                f"MinMaxNorm: min_value ({min_value}) must not exceed max_value "
                f"({max_value}).")
        if not 0 <= _number(rate, "rate", "MinMaxNorm") <= 1:
            raise ValueError(f"MinMaxNorm: rate must be in [0, 1], received "
                             f"rate={rate!r}.")
        self.rate = rate
        self.axis = axis

    def project(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * ops.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value,
                "rate": self.rate, "axis": _axis_config(self.axis)}
