"""UpSampling1D: repeats each time step `size` times."""

from __future__ import annotations

import operator

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class UpSampling1D(Layer):
    """Repeats each step of `(batch, steps, features)` inputs `size` times:
    y[:, t] = x[:, t // size].

    Args:
        size: Upsampling factor, a positive int (default 2).
        **kwargs: Base Layer arguments.

    Input shape: `(batch, steps, features)`.
    Output shape: `(batch, steps * size, features)`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.reshaping.up_sampling1d import UpSampling1D
        >>> UpSampling1D(2)(np.array([[[1.0], [2.0]]])).numpy().ravel()
        array([1., 1., 2., 2.], dtype=float32)
    """

    def __init__(self, size: int = 2, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            size = operator.index(size)
        except TypeError:
            raise TypeError(
                f"UpSampling1D: size must be an int, received size={size!r}.") from None
        if size < 1:
            raise ValueError(f"UpSampling1D: size must be >= 1, received size={size}.")
        self.size = size

    def call(self, inputs):
        if inputs.ndim != 3:
            raise ValueError(
                f"UpSampling1D {self.name!r} expects 3-D inputs (batch, steps, "
                f"features), received shape {tuple(inputs.shape)}.")
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
