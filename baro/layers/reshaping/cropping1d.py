"""Cropping1D: removes steps at the start and end of the steps axis."""

from __future__ import annotations

import operator

from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Cropping1D(Layer):
    """Crops `(batch, steps, features)` inputs along the steps axis.

    Args:
        cropping: Int (the same at both ends) or tuple of 2 ints
            `(start_crop, end_crop)` (default (1, 1)).
        **kwargs: Base Layer arguments.

    Input shape: `(batch, steps, features)`.
    Output shape: `(batch, steps - start_crop - end_crop, features)`.

    Raises:
        ValueError: If the crop leaves no steps.

    Example:
        >>> import numpy as np
        >>> from baro.layers.reshaping.cropping1d import Cropping1D
        >>> x = np.arange(5.0).reshape(1, 5, 1)
        >>> Cropping1D((1, 2))(x).numpy().ravel()
        array([1., 2.], dtype=float32)
    """

    def __init__(self, cropping=(1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        value = (cropping, cropping) if hasattr(cropping, "__index__") else \
            cropping
        try:
            value = tuple(operator.index(v) for v in value)
        except TypeError:
            value = ()
        if len(value) != 2 or min(value) < 0:
            raise ValueError(
                "Cropping1D: cropping must be a non-negative int or a tuple of 2 "
                f"non-negative ints, received cropping={cropping!r}.")
        self.cropping = value

    def _check(self, shape) -> None:
        steps = shape[1] if len(shape) == 3 else None
        if len(shape) != 3 or (steps is not None and sum(self.cropping) >= steps):
            raise ValueError(
                f"Cropping1D {self.name!r}: cropping={self.cropping} must leave at "
                f"least one step of 3-D inputs, received shape {tuple(shape)}.")

    def call(self, inputs):
        self._check(inputs.shape)
        start, end = self.cropping
        return inputs[:, start:inputs.shape[1] - end]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        steps = None if input_shape[1] is None else \
            input_shape[1] - sum(self.cropping)
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": list(self.cropping)}
