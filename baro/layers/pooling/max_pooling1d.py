"""MaxPooling1D: the maximum of each 1-D window."""

from __future__ import annotations

from baro.layers.pooling.base_pooling import BasePooling
from baro.saving.registry import register_serializable


@register_serializable()
class MaxPooling1D(BasePooling):
    """Max pooling over 1-D windows (temporal data).

    y[n, t, c] = max over d < pool_size of x[n, t * stride + d, c]; the
    gradient goes to the window's first maximum.

    Args:
        pool_size: Int or tuple of 1 int (default 2), the window length.
        strides: Int or tuple of 1 int; None (default) means pool_size.
        padding: "valid" (default) or "same" (padded cells never win the max).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, steps, features)` (channels_first: `(batch, features,
        steps)`).

    Output shape:
        `(batch, new_steps, features)`; new_steps = (n - pool) // stride
        + 1 for "valid", ceil(n / stride) for "same".

    Example:
        >>> import baro
        >>> from baro.layers.pooling.max_pooling1d import MaxPooling1D
        >>> x = baro.reshape(baro.constant([1.0, 2.0, 3.0, 4.0, 5.0]), (1, 5, 1))
        >>> MaxPooling1D(pool_size=2, strides=1)(x)[0, :, 0].numpy()
        array([2., 3., 4., 5.], dtype=float32)
    """

    def __init__(self, pool_size=2, strides=None, padding: str = "valid",
                 data_format: str | None = None, **kwargs) -> None:
        super().__init__(pool_size, strides, 1, pool_mode="max",
                         padding=padding, data_format=data_format, **kwargs)
