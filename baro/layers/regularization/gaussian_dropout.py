"""GaussianDropout: multiplies inputs by 1-centered Gaussian noise in training."""

from __future__ import annotations

import math
import numbers

from baro.backend.random import SeedGenerator
from baro.layers.layer import Layer
from baro.ops.creation import random_normal
from baro.saving.registry import register_serializable


@register_serializable()
class GaussianDropout(Layer):
    """Multiplicative noise during training: y = x * n, n ~ N(1, rate / (1 - rate))
    elementwise (stddev sqrt(rate / (1 - rate)), the variance of inverted
    Bernoulli dropout of the same rate). Does nothing at inference.

    Args:
        rate: Drop probability the noise imitates, in [0, 1).
        seed: Optional int for reproducible noise.
        **kwargs: Base Layer arguments.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.regularization.gaussian_dropout import (
        ...     GaussianDropout)
        >>> layer = GaussianDropout(0.2, seed=0)
        >>> y = layer(np.ones((1, 2000)), training=True).numpy()
        >>> round(float(y.mean()), 1), round(float(y.std()), 1)  # 1, sqrt(.25)
        (1.0, 0.5)
    """

    def __init__(self, rate: float, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or \
                not 0 <= rate < 1:
            raise ValueError(
                f"GaussianDropout: rate must be a float in [0, 1), received "
                f"rate={rate!r} (rate 1 would need infinite noise).")
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random_normal(inputs.shape, 1.0, stddev, dtype=inputs.dtype,
                              seed=self.seed_generator)
        return inputs * noise

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
