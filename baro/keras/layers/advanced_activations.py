"""Keras 2's `keras.layers.advanced_activations`."""

from baro.layers import (
    ELU,
    LeakyReLU,
    PReLU,
    ReLU,
    Softmax,
)

__all__ = [
    "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax",
]
