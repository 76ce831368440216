"""CenterCrop: crops the central window of images."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.layers.layer import Layer
from baro.ops import image as image_ops
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable


def _check_size(value, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or \
            value < 1:
        raise ValueError(f"CenterCrop: {name} must be a positive integer, "
                         f"received {name}={value!r}.")
    return int(value)


@register_serializable()
class CenterCrop(Layer):
    """Crops the central `(height, width)` window of images.

    The window starts at int((H - height) / 2), int((W - width) / 2). An image
    smaller than the target on either side is instead cropped to the target's
    aspect ratio and resized (bilinear), as Keras does. Outputs are in the
    layer's float dtype.

    Args:
        height, width: Output size (positive ints).
        data_format: "channels_last" (default) or "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: `(N, H, W, C)` or one image `(H, W, C)` (channels_first:
    `(N, C, H, W)`). Output shape: `(N, height, width, C)` (or the image's).

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.center_crop import CenterCrop
        >>> x = np.arange(16.0, dtype="float32").reshape(1, 4, 4, 1)
        >>> CenterCrop(2, 2)(x).numpy()[0, :, :, 0]
        array([[ 5.,  6.],
               [ 9., 10.]], dtype=float32)
    """

    def __init__(self, height: int, width: int, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.height = _check_size(height, "height")
        self.width = _check_size(width, "width")
        first = channels_first(data_format, "CenterCrop")
        self.data_format = "channels_first" if first else "channels_last"

    def call(self, inputs):
        x = ops.cast(inputs, self.dtype)
        _, h, w = image_ops.batch_and_size(x.shape, self.data_format,
                                           f"CenterCrop {self.name!r}")
        if h < self.height or w < self.width:
            return image_ops.resize(x, (self.height, self.width),
                                    crop_to_aspect_ratio=True,
                                    data_format=self.data_format)
        top = int((h - self.height) / 2)
        left = int((w - self.width) / 2)
        window = (slice(top, top + self.height), slice(left, left + self.width))
        if self.data_format == "channels_first":
            return x[(Ellipsis,) + window]
        return x[(Ellipsis,) + window + (slice(None),)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if self.data_format == "channels_first":
            shape[-2:] = [self.height, self.width]
        else:
            shape[-3:-1] = [self.height, self.width]
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}
