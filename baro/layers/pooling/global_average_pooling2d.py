"""GlobalAveragePooling2D: the mean over height and width."""

from __future__ import annotations

from baro.layers.pooling.base_global_pooling import BaseGlobalPooling
from baro.saving.registry import register_serializable


@register_serializable()
class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global average pooling over the spatial axes of images.

    y[n, c] = mean over (i, j) of x[n, i, j, c].

    Args:
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        keepdims: Keep the height and width axes with size 1 (default False).
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, height, width, channels)` (channels_first: channels
        second).

    Output shape:
        `(batch, channels)`, or with keepdims `(batch, 1, 1, channels)`
        (channels_first: `(batch, channels, 1, 1)`).

    Example:
        >>> import baro
        >>> from baro.layers.pooling.global_average_pooling2d import (
        ...     GlobalAveragePooling2D)
        >>> x = baro.reshape(baro.range(8.0), (1, 2, 2, 2))
        >>> GlobalAveragePooling2D(keepdims=True)(x).numpy()
        array([[[[3., 4.]]]], dtype=float32)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs) -> None:
        super().__init__(2, pool_mode="average", data_format=data_format,
                         keepdims=keepdims, **kwargs)
