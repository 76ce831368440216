"""ReLU: the rectified linear unit as a layer, with slope, cap and threshold."""

from __future__ import annotations

from baro import activations
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class ReLU(Layer):
    """Rectified linear unit with Keras's optional cap, slope and threshold:

        y = min(x, max_value)                    if x > threshold
        y = negative_slope * (x - threshold)     otherwise

    (no cap when `max_value` is None). relu'(threshold) = negative_slope.

    Args:
        max_value: Cap, a float >= 0 or None (default None: no cap).
        negative_slope: Slope below the threshold, >= 0 (default 0.0).
        threshold: Values at or below it are damped, >= 0 (default 0.0).
        **kwargs: Base Layer arguments.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.activations.relu import ReLU
        >>> layer = ReLU(max_value=10, negative_slope=0.5)
        >>> layer(np.array([-10.0, -5.0, 0.0, 5.0, 10.0])).numpy()
        array([-5. , -2.5,  0. ,  5. , 10. ], dtype=float32)
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if max_value is not None and not max_value >= 0:
            raise ValueError(
                "ReLU: max_value cannot be negative; pass a float >= 0 or None, "
                f"received max_value={max_value!r}.")
        if negative_slope is None or not negative_slope >= 0:
            raise ValueError(
                "ReLU: negative_slope must be a float >= 0, received "
                f"negative_slope={negative_slope!r}.")
        if threshold is None or not threshold >= 0:
            raise ValueError(
                f"ReLU: threshold must be a float >= 0, received threshold="
                f"{threshold!r}.")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
