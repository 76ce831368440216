"""BasePooling: what the windowed max and average pooling layers share."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.layers.shape_hints import spatial_layout, spatial_rank_hint
from baro.ops.window import channels_first, normalize_padding, normalize_tuple


def pooled_length(n, pool: int, stride: int, padding: str):
    """Output size of one axis (None stays None), as Keras computes it."""
    if n is None:
        return None
    if padding == "same":
        return (n - 1) // stride + 1
    return (n - pool) // stride + 1 if n >= pool else 0


class BasePooling(Layer):
    """Abstract N-D pooling layer: a max or a mean over each sliding window.

    Args:
        pool_size: Int or tuple of `pool_dimensions` ints, the window size.
        strides: Int or tuple; None (default) means `pool_size`, so windows
            do not overlap.
        pool_dimensions: Number of spatial axes (1 or 2).
        pool_mode: "max" or "average".
        padding: "valid" (default) or "same" (output ceil(n / stride); padded
            cells count neither for the max nor for the average, as TF).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).
    """

    def __init__(self, pool_size, strides, pool_dimensions: int,
                 pool_mode: str = "max", padding: str = "valid",
                 data_format: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        layer = type(self).__name__
        self.pool_dimensions = pool_dimensions
        self.pool_size = normalize_tuple(pool_size, pool_dimensions, "pool_size",
                                         layer)
        self.strides = self.pool_size if strides is None else \
            normalize_tuple(strides, pool_dimensions, "strides", layer)
        if pool_mode not in ("max", "average"):
            raise ValueError(f"{layer}: pool_mode must be 'max' or 'average'; "
                             f"received pool_mode={pool_mode!r}.")
        self.pool_mode = pool_mode
        self.padding = normalize_padding(padding, layer)
        self.data_format = "channels_first" if channels_first(data_format, layer) \
            else "channels_last"

    def _check_rank(self, shape) -> None:
        rank = self.pool_dimensions
        if len(shape) != rank + 2:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects inputs of rank "
                f"{rank + 2} {spatial_layout(rank, self.data_format)}; received "
                f"input shape {tuple(shape)}."
                f"{spatial_rank_hint(rank, shape, self.data_format)}")

    def call(self, inputs):
        self._check_rank(inputs.shape)
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(inputs, self.pool_size, strides=self.strides,
                    padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        first = self.data_format == "channels_first"
        spatial = input_shape[2:] if first else input_shape[1:-1]
        lengths = tuple(pooled_length(n, p, s, self.padding) for n, p, s in
                        zip(spatial, self.pool_size, self.strides, strict=True))
        if first:
            return input_shape[:2] + lengths
        return (input_shape[0],) + lengths + (input_shape[-1],)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
