"""Cropping2D: removes rows and columns at the borders of images."""

from __future__ import annotations

import operator

from baro.layers.layer import Layer
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable


@register_serializable()
class Cropping2D(Layer):
    """Crops the rows and columns of 4-D image inputs.

    Args:
        cropping: Int (the same on all four sides), tuple of 2 ints
            `(symmetric_height_crop, symmetric_width_crop)`, or tuple of 2
            tuples `((top_crop, bottom_crop), (left_crop, right_crop))`
            (default ((0, 0), (0, 0))).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        **kwargs: Base Layer arguments.

    Input shape: `(batch, rows, cols, channels)` (channels_last) or
    `(batch, channels, rows, cols)` (channels_first).
    Output shape: rows - top - bottom, cols - left - right.

    Raises:
        ValueError: If a crop leaves no rows or no columns.

    Example:
        >>> import numpy as np
        >>> from baro.layers.reshaping.cropping2d import Cropping2D
        >>> Cropping2D(((2, 2), (4, 4)))(np.ones((2, 28, 28, 3))).shape
        (2, 24, 20, 3)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping)
        self.data_format = "channels_first" if channels_first(
            data_format, "Cropping2D") else "channels_last"

    def _axes(self) -> tuple[int, int]:
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def _check(self, shape) -> None:
        ok = len(shape) == 4 and all(
            shape[axis] is None or sum(pair) < shape[axis]
            for axis, pair in zip(self._axes(), self.cropping, strict=True))
        if not ok:
            raise ValueError(
                f"Cropping2D {self.name!r}: cropping={self.cropping} must be "
                f"smaller than the rows and columns of 4-D {self.data_format} "
                f"inputs, received shape {tuple(shape)}.")

    def call(self, inputs):
        self._check(inputs.shape)
        index = [slice(None)] * 4
        for axis, (start, end) in zip(self._axes(), self.cropping, strict=True):
            index[axis] = slice(start, inputs.shape[axis] - end)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape = list(input_shape)
        for axis, pair in zip(self._axes(), self.cropping, strict=True):
            if shape[axis] is not None:
                shape[axis] -= sum(pair)
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "cropping": [list(p) for p in self.cropping],
                "data_format": self.data_format}


def _pairs(value) -> tuple[tuple[int, int], ...]:
    """int -> ((v, v), (v, v)); (a, b) -> ((a, a), (b, b)); pairs kept."""
    try:
        pairs = (value, value) if hasattr(value, "__index__") else value
        if len(pairs) != 2:
            raise TypeError
        result = tuple(
            (operator.index(v), operator.index(v)) if hasattr(v, "__index__") else
            tuple(operator.index(w) for w in v) for v in pairs)
    except TypeError:
        result = ()
    if len(result) != 2 or any(len(p) != 2 or min(p) < 0 for p in result):
        raise ValueError(
            "Cropping2D: cropping must be a non-negative int, a tuple of 2 ints, "
            "or a tuple of 2 tuples of 2 ints ((top, bottom), (left, right)), "
            f"received cropping={value!r}.")
    return result
