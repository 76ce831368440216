"""Keras 2's `keras.layers.embeddings`."""

from baro.layers import (
    Embedding,
)

__all__ = [
    "Embedding",
]
