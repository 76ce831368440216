"""UnitNormalization: scales each sample to unit L2 norm."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class UnitNormalization(Layer):
    """Divides each sample by its L2 norm over `axis`:

        y = x / sqrt(max(sum(x^2), 1e-12))

    The floor of 1e-12 on the squared norm (Keras's) keeps all-zero samples at
    zero instead of NaN. No weights.

    Args:
        axis: An int or a list of ints, the axes the norm is taken over
            (default -1).
        **kwargs: Base Layer arguments.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.normalization.unit_normalization import (
        ...     UnitNormalization)
        >>> UnitNormalization()(np.array([[3.0, 4.0]])).numpy()
        array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = int(axis)
        else:
            raise TypeError(
                "UnitNormalization: axis must be an int or a list/tuple of ints, "
                f"received axis={axis!r}.")
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs):
        axes = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = ops.sum(ops.square(inputs), axis=axes, keepdims=True)
        return inputs * ops.rsqrt(ops.maximum(square_sum, 1e-12))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
