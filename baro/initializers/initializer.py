"""The Initializer base class: `initializer(shape, dtype)` returns a new Tensor."""

from __future__ import annotations

import numpy as np

from baro.backend.config import standardize_dtype
from baro.core.tensor import Tensor
from baro.saving.registry import register_serializable


@register_serializable()
class Initializer:
    """Base class of weight initializers (`keras.initializers.Initializer`).

    A subclass implements `__call__(shape, dtype=None)` returning a Tensor of
    that shape and dtype, and `get_config()` when its constructor takes
    arguments; the default `from_config` is `cls(**config)`.

    Example:
        >>> import baro
        >>> from baro.initializers import Initializer
        >>> class Halves(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return baro.ops.fill(shape, 0.5, dtype or "float32")
        >>> Halves()((2,)).numpy()
        array([0.5, 0.5], dtype=float32)
    """

    def __call__(self, shape, dtype=None) -> Tensor:
        """Returns a new tensor of `shape` and `dtype` (default `floatx()`)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None).")

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-ready dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        """Rebuilds an initializer from `get_config()`'s output."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same config.

        An unseeded random initializer's clone draws a new seed (as in Keras),
        so it gives different values from the original.
        """
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def standardize_shape(shape, owner: str) -> tuple[int, ...]:
    """`shape` as a tuple of non-negative ints (an int means a 1-D shape).

    Raises:
        ValueError: Naming `owner`, for a negative or non-integer dimension.
    """
    dims = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    result = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(
                f"{owner}: shape must be a tuple of non-negative ints, received "
                f"{shape!r}.")
        result.append(int(d))
    return tuple(result)


def float_dtype(dtype, owner: str) -> str:
    """The dtype name (default `floatx()`), which must be a float dtype.

    Raises:
        ValueError: Naming `owner`, for an integer or bool dtype.
    """
    name = standardize_dtype(dtype)
    if np.dtype(name).kind != "f":
        raise ValueError(
            f"{owner} draws real numbers and needs a float dtype, received "
            f"dtype={name!r}. Use 'float32' (the default) or 'float64'.")
    return name
