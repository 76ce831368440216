"""ZeroPadding2D: adds rows and columns of zeros around images."""

from __future__ import annotations

import operator

from baro import ops
from baro.layers.layer import Layer
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable


@register_serializable()
class ZeroPadding2D(Layer):
    """Pads the rows and columns of 4-D image inputs with zeros.

    Args:
        padding: Int (the same on all four sides), tuple of 2 ints
            `(symmetric_height_pad, symmetric_width_pad)`, or tuple of 2 tuples
            `((top_pad, bottom_pad), (left_pad, right_pad))` (default (1, 1)).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        **kwargs: Base Layer arguments.

    Input shape: `(batch, rows, cols, channels)` (channels_last) or
    `(batch, channels, rows, cols)` (channels_first).
    Output shape: rows + top_pad + bottom_pad, cols + left_pad + right_pad.

    Example:
        >>> import numpy as np
        >>> from baro.layers.reshaping.zero_padding2d import ZeroPadding2D
        >>> ZeroPadding2D(((1, 0), (0, 2)))(np.ones((1, 2, 2, 3))).shape
        (1, 3, 4, 3)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "ZeroPadding2D", "padding")
        self.data_format = "channels_first" if channels_first(
            data_format, "ZeroPadding2D") else "channels_last"

    def _axes(self) -> tuple[int, int]:
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def call(self, inputs):
        if inputs.ndim != 4:
            raise ValueError(
                f"ZeroPadding2D {self.name!r} expects 4-D inputs, received shape "
                f"{tuple(inputs.shape)}.")
        widths = [(0, 0)] * 4
        for axis, pair in zip(self._axes(), self.padding, strict=True):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, pair in zip(self._axes(), self.padding, strict=True):
            if shape[axis] is not None:
                shape[axis] += sum(pair)
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": self.data_format}


def _pairs(value, layer: str, name: str) -> tuple[tuple[int, int], ...]:
    """int -> ((v, v), (v, v)); (a, b) -> ((a, a), (b, b)); pairs kept."""
    try:
        if hasattr(value, "__index__"):
            value = (value, value)
        if len(value) != 2:
            raise TypeError
        result = tuple(
            (operator.index(v), operator.index(v)) if hasattr(v, "__index__") else
            tuple(operator.index(w) for w in v) for v in value)
    except TypeError:
        result = ()
    if len(result) != 2 or any(len(p) != 2 or min(p) < 0 for p in result):
        raise ValueError(
            f"{layer}: {name} must be a non-negative int, a tuple of 2 ints, or "
            f"a tuple of 2 tuples of 2 ints ((top, bottom), (left, right)), "
            f"received {name}={value!r}.")
    return result
