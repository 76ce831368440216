"""Activation: applies an activation function as a layer."""

from __future__ import annotations

from baro import activations
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class Activation(Layer):
    """Applies `activation` elementwise (e.g. `Activation("relu")`).

    Args:
        activation: Activation name or function.

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": serialize(self.activation)}
