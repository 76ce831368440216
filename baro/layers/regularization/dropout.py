"""Dropout: randomly zeroes inputs during training."""

from __future__ import annotations

from baro import ops
from baro.backend.random import SeedGenerator
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Dropout(Layer):
    """Sets inputs to 0 with probability `rate` during training and scales the
    rest by `1 / (1 - rate)`; does nothing at inference.

    Args:
        rate: Fraction of inputs to drop, in [0, 1).
        noise_shape: Shape of the mask broadcast over the input (None entries
            take the input's size), e.g. `(batch, 1, features)`.
        seed: Optional int for reproducible masks.

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, rate: float, noise_shape=None, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(
                f"Dropout: rate must be in [0, 1), received rate={rate!r}.")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        return ops.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                           seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": self.noise_shape, "seed": self.seed}
