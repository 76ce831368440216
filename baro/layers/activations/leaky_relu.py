"""LeakyReLU: the leaky rectified linear unit as a layer."""

from __future__ import annotations

import warnings

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class LeakyReLU(Layer):
    """y = x if x > 0 else negative_slope * x; y'(0) = negative_slope.

    Args:
        negative_slope: Slope for x <= 0, a float >= 0 (default 0.3, the Keras
            layer's default; the `leaky_relu` function's is 0.2).
        **kwargs: Base Layer arguments. The Keras 2 name `alpha=` is accepted
            for `negative_slope`, with Keras's deprecation warning.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.activations.leaky_relu import LeakyReLU
        >>> LeakyReLU()(np.array([-10.0, 0.0, 5.0])).numpy()
        array([-3.,  0.,  5.], dtype=float32)
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("LeakyReLU: argument `alpha` is deprecated. Use "
                          "`negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or not negative_slope >= 0:
            raise ValueError(
                "LeakyReLU: negative_slope must be a float >= 0, received "
                f"negative_slope={negative_slope!r}.")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}
