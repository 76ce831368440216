"""SpatialDropout1D and SpatialDropout2D: dropout of whole feature maps."""

from __future__ import annotations

from baro import ops
from baro.layers.regularization.dropout import Dropout
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable


class _SpatialDropout(Dropout):
    """Dropout whose mask is shared over the spatial axes (one draw per sample
    and channel), so a feature map is kept or dropped as a whole."""

    rank = 0

    def __init__(self, rate: float, seed=None, **kwargs) -> None:
        super().__init__(rate, seed=seed, **kwargs)

    def call(self, inputs, training=None):
        if inputs.ndim != self.rank + 2:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects {self.rank + 2}-D "
                f"inputs, received shape {tuple(inputs.shape)}.")
        if not training or self.rate == 0:
            return inputs
        return ops.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs),
                           seed=self.seed_generator)

    def _noise_shape(self, inputs) -> tuple[int, ...]:
        ones = (1,) * self.rank
        if getattr(self, "data_format", "channels_last") == "channels_first":
            return inputs.shape[:2] + ones
        return (inputs.shape[0],) + ones + (inputs.shape[-1],)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("noise_shape")
        return config


@register_serializable()
class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of `(batch, steps, channels)` inputs during training.

    Each (sample, channel) pair is zeroed with probability `rate` across all
    steps; kept ones are scaled by 1 / (1 - rate). Adjacent steps of a feature
    map are strongly correlated, so elementwise dropout would barely
    regularize (Tompson et al., 2014). Does nothing at inference.

    Args:
        rate: Fraction of channels to drop, in [0, 1).
        seed: Optional int for reproducible masks.
        **kwargs: Base Layer arguments.

    Input shape: `(batch, steps, channels)`. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.regularization.spatial_dropout import (
        ...     SpatialDropout1D)
        >>> y = SpatialDropout1D(0.5, seed=0)(np.ones((2, 3, 4)), training=True)
        >>> bool((y.numpy() == y.numpy()[:, :1]).all())  # same over steps
        True
    """

    rank = 1


@register_serializable()
class SpatialDropout2D(_SpatialDropout):
    """Drops whole channels of 4-D image inputs during training.

    Each (sample, channel) pair is zeroed with probability `rate` across all
    rows and columns; kept ones are scaled by 1 / (1 - rate). Does nothing at
    inference.

    Args:
        rate: Fraction of channels to drop, in [0, 1).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        seed: Optional int for reproducible masks.
        **kwargs: Base Layer arguments.

    Input shape: `(batch, rows, cols, channels)` (channels_last) or
    `(batch, channels, rows, cols)` (channels_first). Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.regularization.spatial_dropout import (
        ...     SpatialDropout2D)
        >>> SpatialDropout2D(0.5)(np.ones((1, 2, 2, 3))).numpy().sum()  # inference
        np.float32(12.0)
    """

    rank = 2

    def __init__(self, rate: float, data_format=None, seed=None, **kwargs) -> None:
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = "channels_first" if channels_first(
            data_format, "SpatialDropout2D") else "channels_last"

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
