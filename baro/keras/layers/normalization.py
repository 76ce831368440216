"""Keras 2's `keras.layers.normalization`."""

from baro.layers import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    UnitNormalization,
)

__all__ = [
    "BatchNormalization", "GroupNormalization", "LayerNormalization",
    "UnitNormalization",
]
