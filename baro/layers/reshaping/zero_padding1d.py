"""ZeroPadding1D: adds zeros at the start and end of the steps axis."""

from __future__ import annotations

import operator

from baro import ops
from baro.layers.layer import Layer
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable


@register_serializable()
class ZeroPadding1D(Layer):
    """Pads the steps axis of 3-D inputs with zeros.

    Args:
        padding: Int (the same before and after) or tuple of 2 ints
            `(left_pad, right_pad)` (default 1).
        data_format: "channels_last" (default, also for None; steps on axis 1)
            or "channels_first" (steps on axis 2).
        **kwargs: Base Layer arguments.

    Input shape: `(batch, steps, features)` (channels_last).
    Output shape: `(batch, left_pad + steps + right_pad, features)`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.reshaping.zero_padding1d import ZeroPadding1D
        >>> ZeroPadding1D((1, 2))(np.ones((1, 2, 1))).numpy().ravel()
        array([0., 1., 1., 0., 0.], dtype=float32)
    """

    def __init__(self, padding=1, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = _pair(padding, "ZeroPadding1D", "padding")
        self.data_format = "channels_first" if channels_first(
            data_format, "ZeroPadding1D") else "channels_last"

    def _axis(self) -> int:
        return 2 if self.data_format == "channels_first" else 1

    def call(self, inputs):
        if inputs.ndim != 3:
            raise ValueError(
                f"ZeroPadding1D {self.name!r} expects 3-D inputs, received shape "
                f"{tuple(inputs.shape)}.")
        widths = [(0, 0)] * 3
        widths[self._axis()] = self.padding
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = self._axis()
        if shape[axis] is not None:
            shape[axis] += sum(self.padding)
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": list(self.padding),
                "data_format": self.data_format}


def _pair(value, layer: str, name: str) -> tuple[int, int]:
    values = (value, value) if hasattr(value, "__index__") else value
    try:
        values = tuple(operator.index(v) for v in values)
    except TypeError:
        values = ()
    if len(values) != 2 or min(values) < 0:
        raise ValueError(
            f"{layer}: {name} must be a non-negative int or a tuple of 2 "
            f"non-negative ints, received {name}={value!r}.")
    return values
