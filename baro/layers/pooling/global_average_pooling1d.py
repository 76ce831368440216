"""GlobalAveragePooling1D: the (masked) mean over the steps axis."""

from __future__ import annotations

from baro import ops
from baro.layers.pooling.base_global_pooling import BaseGlobalPooling
from baro.saving.registry import register_serializable


@register_serializable()
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling over the steps of temporal data.

    y[n, c] = mean over t of x[n, t, c]; with a mask (batch, steps), the
    mean over the unmasked steps: sum_t m[n, t] * x[n, t, c] / sum_t m[n, t].

    Args:
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        keepdims: Keep the steps axis with size 1 (default False).
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Call arguments:
        inputs: A rank-3 tensor.
        mask: Optional bool (batch, steps) tensor; False steps are left out
            of the mean (an Embedding(mask_zero=True) before it sets one).

    Input shape:
        `(batch, steps, features)` (channels_first: `(batch, features,
        steps)`).

    Output shape:
        `(batch, channels)`, or with keepdims `(batch, 1, channels)`
        (channels_first: `(batch, channels, 1)`).

    Example:
        >>> import baro
        >>> from baro.layers.pooling.global_average_pooling1d import (
        ...     GlobalAveragePooling1D)
        >>> x = baro.reshape(baro.range(6.0), (1, 3, 2))
        >>> GlobalAveragePooling1D()(x).numpy()
        array([[2., 3.]], dtype=float32)
        >>> mask = baro.constant([[True, True, False]])
        >>> GlobalAveragePooling1D()(x, mask=mask).numpy()
        array([[1., 2.]], dtype=float32)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs) -> None:
        super().__init__(1, pool_mode="average", data_format=data_format,
                         keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        axis = self._spatial_axes(inputs)[0]
        # mask (batch, steps) -> broadcastable against the inputs.
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype),
                                  2 if self.data_format == "channels_last" else 1)
        total = ops.sum(inputs * weights, axis=axis, keepdims=self.keepdims)
        return total / ops.sum(weights, axis=axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None  # the steps axis is gone, and its mask with it
