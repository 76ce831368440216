"""GlobalMaxPooling2D: the maximum over height and width."""

from __future__ import annotations

from baro.layers.pooling.base_global_pooling import BaseGlobalPooling
from baro.saving.registry import register_serializable


@register_serializable()
class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling over the spatial axes of images.

    y[n, c] = max over (i, j) of x[n, i, j, c]; the gradient goes to
    every position holding the maximum, split evenly on ties.

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
        >>> from baro.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
        >>> x = baro.reshape(baro.range(8.0), (1, 2, 2, 2))
        >>> GlobalMaxPooling2D()(x).numpy()
        array([[6., 7.]], dtype=float32)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs) -> None:
        super().__init__(2, pool_mode="max", data_format=data_format,
                         keepdims=keepdims, **kwargs)
