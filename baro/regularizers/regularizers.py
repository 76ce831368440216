"""Weight penalties (`keras.regularizers`): L1, L2, L1L2, OrthogonalRegularizer.

A regularizer maps a weight tensor to a scalar Tensor added to the loss. The
penalties compose baro ops, so their gradients flow to the weights.
"""

from __future__ import annotations

import math

from baro import ops
from baro.backend.config import epsilon, floatx
from baro.core.tensor import Tensor
from baro.saving.registry import register_serializable


def _as_float(x) -> Tensor:
    x = ops.convert_to_tensor(x)
    return x if x.dtype.kind == "f" else ops.cast(x, floatx())


def _factor(value, name: str, owner: str, default: float) -> float:
    # Keras's validate_float_arg: None means the default; else finite and >= 0.
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < 0:
        raise ValueError(
            f"{owner}: {name} must be a non-negative finite float, received "
            f"{name}={value!r}.")
    return float(value)


@register_serializable()
class Regularizer:
    """Base class: `regularizer(x)` returns a scalar penalty Tensor.

    Subclasses implement `__call__(x)` and `get_config()`; the default
    `from_config` is `cls(**config)`. Any function from a tensor to a scalar
    also works wherever a regularizer is accepted.

    Example:
        >>> import baro
        >>> from baro.regularizers import Regularizer
        >>> class Sum(Regularizer):
        ...     def __call__(self, x):
        ...         return baro.ops.sum(x)
        ...     def get_config(self):
        ...         return {}
        >>> float(Sum()([1.0, 2.0]))
        3.0
    """

    def __call__(self, x) -> Tensor:
        """The penalty for `x` (the base class gives 0)."""
        return ops.zeros((), _as_float(x).dtype)

    def get_config(self) -> dict:
        """The constructor arguments as a JSON-ready dict.

        Raises:
            NotImplementedError: In the base class, as Keras does, so a custom
                regularizer never saves silently without its factors.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement get_config() to be saved.")

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        """Rebuilds a regularizer from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            config = self.get_config()
        except NotImplementedError:
            config = {}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


@register_serializable()
class L1(Regularizer):
    """penalty = l1 * sum(|x|).

    Args:
        l1: Non-negative factor (default 0.01; None also means 0.01).

    Raises:
        ValueError: If `l1` is negative, infinite, NaN or not a number.

    Example:
        >>> from baro.regularizers import L1
        >>> float(L1(0.5)([[-1.0, 2.0]]))
        1.5
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _factor(l1, "l1", "L1", 0.01)

    def __call__(self, x) -> Tensor:
        return self.l1 * ops.sum(ops.abs(_as_float(x)))

    def get_config(self) -> dict:
        return {"l1": self.l1}


@register_serializable()
class L2(Regularizer):
    """penalty = l2 * sum(x^2) (no factor 1/2, as in Keras).

    Args:
        l2: Non-negative factor (default 0.01; None also means 0.01).

    Raises:
        ValueError: If `l2` is negative, infinite, NaN or not a number.

    Example:
        >>> import baro
        >>> from baro.regularizers import L2
        >>> float(L2(2.0)(baro.ops.ones((5, 5))))
        50.0
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _factor(l2, "l2", "L2", 0.01)

    def __call__(self, x) -> Tensor:
        return self.l2 * ops.sum(ops.square(_as_float(x)))

    def get_config(self) -> dict:
        return {"l2": self.l2}


@register_serializable()
class L1L2(Regularizer):
    """penalty = l1 * sum(|x|) + l2 * sum(x^2).

    The class defaults are 0.0 (Keras keeps them for compatibility); the string
    name `"l1_l2"` gives l1 = l2 = 0.01, as Keras documents.

    Args:
        l1: Non-negative L1 factor (default 0.0).
        l2: Non-negative L2 factor (default 0.0).

    Raises:
        ValueError: If a factor is negative, infinite, NaN or not a number.

    Example:
        >>> from baro.regularizers import L1L2
        >>> float(L1L2(l1=1.0, l2=1.0)([-1.0, 2.0]))
        8.0
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor(l1, "l1", "L1L2", 0.0)
        self.l2 = _factor(l2, "l2", "L1L2", 0.0)

    def __call__(self, x) -> Tensor:
        x = _as_float(x)
        penalty = ops.zeros((), x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * ops.sum(ops.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@register_serializable()
class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (or columns) of a 2-D weight.

    With u_i the L2-normalized rows (mode "rows") or columns (mode "columns")
    of x, n of them:

        penalty = factor * 0.5 * sum_{i != j} |u_i . u_j| / (n (n - 1) / 2)

    i.e. `factor` times the mean |cosine| over distinct pairs. Rows are
    normalized as x * min(1 / ||x_i||, 1 / epsilon) (Keras's `normalize`), so an
    all-zero row is left at zero. With n = 1 there are no pairs and the penalty
    is 0 (Keras divides by zero there and returns NaN).

    Args:
        factor: Non-negative factor (default 0.01).
        mode: "rows" or "columns" (default "rows").

    Raises:
        ValueError: For a bad factor or mode; when called, for an input that is
            not 2-D.

    Example:
        >>> from baro.regularizers import OrthogonalRegularizer
        >>> float(OrthogonalRegularizer(1.0)([[1.0, 0.0], [1.0, 1.0]]))
        0.7071067690849304
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _factor(factor, "factor", "OrthogonalRegularizer", 0.01)
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"OrthogonalRegularizer: mode must be 'rows' or 'columns', "
                f"received mode={mode!r}.")
        self.mode = mode

    def __call__(self, x) -> Tensor:
        x = _as_float(x)
        if x.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer needs a 2-D input, received shape "
                f"{x.shape}. Reshape conv kernels to (-1, filters) first.")
        if self.mode == "columns":
            x = ops.transpose(x)
        # max(s, eps^2) under rsqrt equals Keras's min(rsqrt(s), 1 / eps),
        # without the infinite rsqrt(0) that a zero row would make.
        squares = ops.sum(ops.square(x), axis=1, keepdims=True)
        unit = x * ops.rsqrt(ops.maximum(squares, epsilon() ** 2))
        n = x.shape[0]
        products = ops.matmul(unit, ops.transpose(unit))
        off_diagonal = products * (1.0 - ops.eye(n, dtype=x.dtype))
        pairs = max(n * (n - 1) / 2.0, 1.0)
        return self.factor * 0.5 * ops.sum(ops.abs(off_diagonal)) / pairs

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}
