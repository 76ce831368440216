"""Keras 2's `keras.layers.noise`."""

from baro.layers import (
    GaussianDropout,
    GaussianNoise,
)

__all__ = [
    "GaussianDropout", "GaussianNoise",
]
