"""Flatten: collapses all axes but the batch axis."""

from __future__ import annotations

import math

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Flatten(Layer):
    """Reshapes `(batch, d1, d2, ...)` to `(batch, d1 * d2 * ...)`.

    Args:
        data_format: "channels_last" (default) or "channels_first"; for
            channels_first inputs the channels axis is moved last first, so the
            flattened order matches a channels_last model (as Keras does).

    Example:
        >>> import baro
        >>> baro.keras.layers.Flatten()(baro.ones((2, 28, 28))).shape
        (2, 784)
    """

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "Flatten: data_format must be 'channels_last' or 'channels_first', "
                f"received {data_format!r}.")

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(s is None for s in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
