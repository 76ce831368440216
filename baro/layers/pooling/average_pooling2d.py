"""AveragePooling2D: the mean of each 2-D window."""

from __future__ import annotations

from baro.layers.pooling.base_pooling import BasePooling
from baro.saving.registry import register_serializable


@register_serializable()
class AveragePooling2D(BasePooling):
    """Average pooling over 2-D windows (spatial data).

    y[n, i, j, c] = mean over (di, dj) < pool_size of
    x[n, i * sh + di, j * sw + dj, c].

    Args:
        pool_size: Int or tuple of 2 ints (default (2, 2)), the window
            (height, width).
        strides: Int or tuple of 2 ints; None (default) means pool_size.
        padding: "valid" (default) or "same" (each window is divided by
            its count of real, unpadded cells).
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
        >>> from baro.layers.pooling.average_pooling2d import AveragePooling2D
        >>> x = baro.reshape(baro.range(16.0), (1, 4, 4, 1))
        >>> AveragePooling2D()(x)[0, :, :, 0].numpy()
        array([[ 2.5,  4.5],
               [10.5, 12.5]], dtype=float32)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid",
                 data_format: str | None = None, **kwargs) -> None:
        super().__init__(pool_size, strides, 2, pool_mode="average",
                         padding=padding, data_format=data_format, **kwargs)
