"""ELU: the exponential linear unit as a layer."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class ELU(Layer):
    """y = x if x > 0 else alpha * (exp(x) - 1).

    Args:
        alpha: Scale of the negative part (default 1.0).
        **kwargs: Base Layer arguments.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.activations.elu import ELU
        >>> ELU(alpha=2.0)(np.array([0.0, 1.0, -50.0])).numpy()
        array([ 0.,  1., -2.], dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        # Keras 3's ELU leaves alpha out of its config (so it is lost on
        # reload); baro saves it.
        return {**super().get_config(), "alpha": self.alpha}
