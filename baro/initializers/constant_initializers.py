"""Deterministic initializers: Zeros, Ones, Constant, Identity."""

from __future__ import annotations

from baro.backend.arrays import convert_to_array, xp
from baro.backend.config import standardize_dtype
from baro.core.tensor import Tensor
from baro.initializers.initializer import Initializer, standardize_shape
from baro.saving.registry import register_serializable


@register_serializable()
class Zeros(Initializer):
    """Fills with 0 (any numeric or bool dtype).

    Example:
        >>> from baro.initializers import Zeros
        >>> Zeros()((2,)).numpy()
        array([0., 0.], dtype=float32)
    """

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "Zeros")
        return Tensor(xp().zeros(shape, dtype=standardize_dtype(dtype)))


@register_serializable()
class Ones(Initializer):
    """Fills with 1 (any numeric or bool dtype).

    Example:
        >>> from baro.initializers import Ones
        >>> Ones()((2,), dtype="int32").numpy()
        array([1, 1], dtype=int32)
    """

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "Ones")
        return Tensor(xp().ones(shape, dtype=standardize_dtype(dtype)))


@register_serializable()
class Constant(Initializer):
    """Fills with `value`, cast to the requested dtype.

    Keras documents scalars only; an array that broadcasts to the shape is also
    accepted here.

    Args:
        value: A number, or an array-like broadcastable to the shape (default 0.0).

    Raises:
        ValueError: When called, if `value` does not broadcast to the shape.

    Example:
        >>> from baro.initializers import Constant
        >>> Constant(10.0)((2, 2)).numpy()
        array([[10., 10.],
               [10., 10.]], dtype=float32)
    """

    def __init__(self, value=0.0) -> None:
        if isinstance(value, Tensor):
            value = value.numpy()
        self.value = value

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "Constant")
        value = convert_to_array(self.value, standardize_dtype(dtype))
        try:
            filled = xp().broadcast_to(value, shape)
        except ValueError:
            raise ValueError(
                f"Constant: value of shape {value.shape} cannot fill a tensor of "
                f"shape {shape}. Pass a scalar or an array that broadcasts."
            ) from None
        return Tensor(filled.copy())

    def get_config(self) -> dict:
        value = self.value
        return {"value": value.tolist() if hasattr(value, "tolist") else value}


@register_serializable(name="IdentityInitializer")
class Identity(Initializer):
    """gain * the identity matrix (rectangular shapes get ones on the diagonal).

    Saved as `"IdentityInitializer"` (a Keras alias) so it never collides with
    an `Identity` layer in the registry.

    Args:
        gain: Multiplier of the identity (default 1.0).

    Raises:
        ValueError: When called with a shape that is not 2-D.

    Example:
        >>> from baro.initializers import Identity
        >>> Identity(gain=2.0)((2, 3)).numpy()
        array([[2., 0., 0.],
               [0., 2., 0.]], dtype=float32)
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "Identity")
        if len(shape) != 2:
            raise ValueError(
                f"Identity initializer needs a 2-D shape, received shape={shape} "
                f"of rank {len(shape)}.")
        dtype = standardize_dtype(dtype)
        eye = xp().eye(*shape, dtype=dtype)
        return Tensor((eye * self.gain).astype(dtype, copy=False))

    def get_config(self) -> dict:
        return {"gain": self.gain}
