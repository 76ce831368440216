"""Keras 2's `keras.layers.wrappers`."""

from baro.layers import (
    Bidirectional,
    TimeDistributed,
)

__all__ = [
    "Bidirectional", "TimeDistributed",
]
