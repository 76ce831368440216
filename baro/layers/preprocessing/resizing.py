"""Resizing: resizes images to a fixed height and width."""

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
        raise ValueError(
            f"Resizing: {name} must be a positive integer, received {name}={value!r}.")
    return int(value)


@register_serializable()
class Resizing(Layer):
    """Resizes images to `(height, width)`, in training and inference.

    Bilinear or nearest resampling with half-pixel centres (tf.image.resize,
    torch `align_corners=False`); see `baro.ops.image.resize`. Integer images
    come back in their dtype (rounded and clipped), float images in the layer's
    dtype.

    Args:
        height, width: Output size (positive ints).
        interpolation: "bilinear" (default) or "nearest".
        crop_to_aspect_ratio: First crop the largest centred window with the
            target aspect ratio, so nothing is distorted. Default False.
        pad_to_aspect_ratio: First pad the short side evenly with `fill_value`
            instead. Default False.
        fill_mode: Only "constant" (used by `pad_to_aspect_ratio`).
        fill_value: Padding value. Default 0.
        data_format: "channels_last" (default) or "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: `(N, H, W, C)` or one image `(H, W, C)` (channels_first:
    `(N, C, H, W)`). Output shape: `(N, height, width, C)` (or the image's).

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.resizing import Resizing
        >>> Resizing(8, 6)(np.zeros((2, 4, 3, 3), "float32")).shape
        (2, 8, 6, 3)
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0,
                 data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        owner = "Resizing"
        self.height = _check_size(height, "height")
        self.width = _check_size(width, "width")
        self.interpolation = image_ops.check_option(
            interpolation, image_ops.INTERPOLATIONS, "interpolation", owner)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: pass only one of crop_to_aspect_ratio=True "
                             "and pad_to_aspect_ratio=True.")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = image_ops.check_option(fill_mode, ("constant",), "fill_mode",
                                                owner)
        self.fill_value = float(fill_value)
        first = channels_first(data_format, owner)
        self.data_format = "channels_first" if first else "channels_last"

    def call(self, inputs):
        image_ops.batch_and_size(inputs.shape, self.data_format,
                                 f"Resizing {self.name!r}")
        y = image_ops.resize(
            inputs, (self.height, self.width), interpolation=self.interpolation,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format=self.data_format)
        dtype = inputs.data.dtype
        if y.data.dtype == dtype or dtype.kind not in "biu":
            return y
        # Integer images stay integers (Keras): round, then saturate.
        info = np.iinfo(dtype) if dtype.kind in "iu" else None
        y = ops.round(y)
        if info is not None:
            y = ops.clip(y, float(info.min), float(info.max))
        return ops.cast(y, dtype)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if self.data_format == "channels_first":
            shape[-2:] = [self.height, self.width]
        else:
            shape[-3:-1] = [self.height, self.width]
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "data_format": self.data_format}
