"""BaseGlobalPooling: what the global (whole-input) pooling layers share."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.layers.shape_hints import spatial_layout, spatial_rank_hint
from baro.ops.window import channels_first


class BaseGlobalPooling(Layer):
    """Abstract global pooling: one max or mean over all spatial positions.

    Args:
        pool_dimensions: Number of spatial axes (1 or 2).
        pool_mode: "max" or "average".
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        keepdims: Keep the spatial axes with size 1 (default False: they are
            dropped, leaving (batch, channels)).
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).
    """

    def __init__(self, pool_dimensions: int, pool_mode: str = "max",
                 data_format: str | None = None, keepdims: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        layer = type(self).__name__
        self.pool_dimensions = pool_dimensions
        if pool_mode not in ("max", "average"):
            raise ValueError(f"{layer}: pool_mode must be 'max' or 'average'; "
                             f"received pool_mode={pool_mode!r}.")
        self.pool_mode = pool_mode
        self.data_format = "channels_first" if channels_first(data_format, layer) \
            else "channels_last"
        self.keepdims = bool(keepdims)

    def _check_rank(self, shape) -> None:
        rank = self.pool_dimensions
        if len(shape) != rank + 2:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects inputs of rank "
                f"{rank + 2} {spatial_layout(rank, self.data_format)}; received "
                f"input shape {tuple(shape)}."
                f"{spatial_rank_hint(rank, shape, self.data_format)}")

    def _spatial_axes(self, inputs) -> tuple[int, ...]:
        self._check_rank(inputs.shape)
        start = 2 if self.data_format == "channels_first" else 1
        return tuple(range(start, start + self.pool_dimensions))

    def call(self, inputs):
        reduce = ops.max if self.pool_mode == "max" else ops.mean
        return reduce(inputs, axis=self._spatial_axes(inputs),
                      keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        first = self.data_format == "channels_first"
        channels = input_shape[1] if first else input_shape[-1]
        if not self.keepdims:
            return (input_shape[0], channels)
        ones = (1,) * (len(input_shape) - 2)
        if first:
            return (input_shape[0], channels) + ones
        return (input_shape[0],) + ones + (channels,)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}
