"""Masking: marks timesteps whose features all equal a value as padding."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Masking(Layer):
    """Skips timesteps whose features all equal `mask_value`.

    The output mask is `any(inputs != mask_value, axis=-1)`: a timestep is
    masked (False) when every feature equals `mask_value`. Downstream layers
    that support masking (RNNs) skip those steps; the outputs at masked steps
    are set to 0.

    Args:
        mask_value: The padding value (default 0.0).
        **kwargs: Base Layer arguments.

    Input shape: `(batch, timesteps, features)` (any rank >= 2).

    Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.core.masking import Masking
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]], "float32")
        >>> Masking()(x)._keras_mask.numpy().tolist()
        [[True, False, True]]
    """

    def __init__(self, mask_value: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1,
                       keepdims=True)
        return inputs * ops.cast(keep, inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
