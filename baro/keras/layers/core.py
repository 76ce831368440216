"""Keras 2's `keras.layers.core`: the basic layers."""

from baro.layers import (
    Activation,
    ActivityRegularization,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Lambda,
    Masking,
    Permute,
    RepeatVector,
    Reshape,
    SpatialDropout1D,
    SpatialDropout2D,
)

__all__ = [
    "Activation", "ActivityRegularization", "Dense", "Dropout", "Embedding",
    "Flatten", "Lambda", "Masking", "Permute", "RepeatVector", "Reshape",
    "SpatialDropout1D", "SpatialDropout2D",
]
