"""GaussianNoise: adds zero-centered Gaussian noise during training."""

from __future__ import annotations

import numbers

from baro.backend.random import SeedGenerator
from baro.layers.layer import Layer
from baro.ops.creation import random_normal
from baro.saving.registry import register_serializable


@register_serializable()
class GaussianNoise(Layer):
    """Adds noise during training: y = x + n, n ~ N(0, stddev^2) elementwise.

    A regularizer (a form of data augmentation for real-valued inputs); does
    nothing at inference. The noise is a constant to autodiff, so dy/dx = 1.

    Args:
        stddev: Standard deviation of the noise, in [0, 1] (Keras's range).
        seed: Optional int for reproducible noise.
        **kwargs: Base Layer arguments.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.regularization.gaussian_noise import GaussianNoise
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> layer(np.zeros((1, 2))).numpy(), layer(np.zeros((1, 500)),
        ...     training=True).numpy().std().round(1)
        (array([[0., 0.]], dtype=float32), np.float32(0.1))
    """

    def __init__(self, stddev: float, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or \
                not 0 <= stddev <= 1:
            raise ValueError(
                "GaussianNoise: stddev must be a float in [0, 1], received "
                f"stddev={stddev!r}.")
        self.stddev = float(stddev)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = random_normal(inputs.shape, 0.0, self.stddev, dtype=inputs.dtype,
                              seed=self.seed_generator)
        return inputs + noise

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
