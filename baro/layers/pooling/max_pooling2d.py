"""MaxPooling2D: the maximum of each 2-D window."""

from __future__ import annotations

from baro.layers.pooling.base_pooling import BasePooling
from baro.saving.registry import register_serializable


@register_serializable()
class MaxPooling2D(BasePooling):
    """Max pooling over 2-D windows (spatial data).

    y[n, i, j, c] = max over (di, dj) < pool_size of
    x[n, i * sh + di, j * sw + dj, c]; the gradient goes to the window's
    first maximum.

    Args:
        pool_size: Int or tuple of 2 ints (default (2, 2)), the window
            (height, width).
        strides: Int or tuple of 2 ints; None (default) means pool_size.
        padding: "valid" (default) or "same" (padded cells never win the max).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, height, width, channels)` (channels_first: channels
        second).

    Output shape:
        `(batch, new_height, new_width, channels)`; per axis new =
        (n - pool) // stride + 1 for "valid", ceil(n / stride) for "same".

    Example:
        >>> import baro
        >>> from baro.layers.pooling.max_pooling2d import MaxPooling2D
        >>> x = baro.reshape(baro.range(16.0), (1, 4, 4, 1))
        >>> MaxPooling2D()(x)[0, :, :, 0].numpy()
        array([[ 5.,  7.],
               [13., 15.]], dtype=float32)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid",
                 data_format: str | None = None, **kwargs) -> None:
        super().__init__(pool_size, strides, 2, pool_mode="max",
                         padding=padding, data_format=data_format, **kwargs)
