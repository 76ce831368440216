"""ActivityRegularization: adds an L1/L2 penalty on its inputs to the loss."""

from __future__ import annotations

from baro.layers.layer import Layer
from baro.regularizers import L1L2
from baro.saving.registry import register_serializable


@register_serializable()
class ActivityRegularization(Layer):
    """Returns its inputs unchanged and adds, on every call, the penalty

        l1 * sum(|x|) + l2 * sum(x^2)

    to `layer.losses` (through `add_loss`), so training minimizes it with the
    model's loss.

    Args:
        l1: L1 factor, >= 0 (default 0.0).
        l2: L2 factor, >= 0 (default 0.0).
        **kwargs: Base Layer arguments.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.regularization.activity_regularization import (
        ...     ActivityRegularization)
        >>> layer = ActivityRegularization(l1=0.1, l2=0.5)
        >>> _ = layer(np.array([[1.0, -2.0]]))
        >>> [round(float(loss), 4) for loss in layer.losses]
        [2.8]
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs) -> None:
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = float(l1)
        self.l2 = float(l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
