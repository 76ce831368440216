"""Reshape: gives each sample a new shape."""

from __future__ import annotations

import math

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept).

    Args:
        target_shape: Tuple of ints without the batch axis; one entry may be -1.

    Raises:
        ValueError: If the sample size does not fit `target_shape`.

    Example:
        >>> import baro
        >>> baro.keras.layers.Reshape((28, 28))(baro.ones((2, 784))).shape
        (2, 28, 28)
    """

    def __init__(self, target_shape, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(s) for s in target_shape)
        if sum(1 for s in self.target_shape if s == -1) > 1:
            raise ValueError(
                f"Reshape: at most one -1 in target_shape, received "
                f"{self.target_shape}.")

    def _check(self, input_shape) -> None:
        rest = tuple(input_shape[1:])
        if any(s is None for s in rest):
            return  # known only when data arrives
        sample = math.prod(rest)
        known = math.prod(s for s in self.target_shape if s != -1)
        fits = sample % known == 0 if -1 in self.target_shape else sample == known
        if not fits:
            raise ValueError(
                f"Reshape {self.name!r}: received input shape {tuple(input_shape)}; "
                f"a sample of shape {rest} has {sample:,} values, which cannot "
                f"fill target_shape {self.target_shape} ({known:,} values). The "
                "target shape excludes the batch axis and must hold the same "
                "number of values (one entry may be -1 to infer it).")

    def call(self, inputs):
        self._check(inputs.shape)
        return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        if -1 not in self.target_shape:
            return (input_shape[0],) + self.target_shape
        rest = input_shape[1:]
        if any(s is None for s in rest):
            return (input_shape[0],) + tuple(
                None if s == -1 else s for s in self.target_shape)
        known = math.prod(s for s in self.target_shape if s != -1)
        return (input_shape[0],) + tuple(
            math.prod(rest) // known if s == -1 else s for s in self.target_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}
