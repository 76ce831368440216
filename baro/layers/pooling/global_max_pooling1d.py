"""GlobalMaxPooling1D: the maximum over the steps axis."""

from __future__ import annotations

from baro.layers.pooling.base_global_pooling import BaseGlobalPooling
from baro.saving.registry import register_serializable


@register_serializable()
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling over the steps of temporal data.

    y[n, c] = max over t of x[n, t, c]; the gradient goes to every step
    holding the maximum, split evenly on ties.

    Args:
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        keepdims: Keep the steps axis with size 1 (default False).
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, steps, features)` (channels_first: `(batch, features,
        steps)`).

    Output shape:
        `(batch, channels)`, or with keepdims `(batch, 1, channels)`
        (channels_first: `(batch, channels, 1)`).

    Example:
        >>> import baro
        >>> from baro.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
        >>> GlobalMaxPooling1D()(baro.ones((2, 3, 4))).shape
        (2, 4)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs) -> None:
        super().__init__(1, pool_mode="max", data_format=data_format,
                         keepdims=keepdims, **kwargs)
