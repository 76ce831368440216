"""RandomTranslation: shifts images by random offsets during training."""

from __future__ import annotations

from baro import ops
from baro.backend.arrays import to_numpy
from baro.backend.random import SeedGenerator, uniform
from baro.layers.layer import Layer
from baro.ops import image as image_ops
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable

FILL_MODES = ("reflect", "wrap", "constant", "nearest")


@register_serializable()
class RandomTranslation(Layer):
    """Shifts each image by a random fraction of its height and width.

    Per image, dy = U(height range) * H and dx = U(width range) * W pixels;
    output (x, y) reads input (x - dx, y - dy), so positive values move the
    content down and right. Uncovered pixels are filled by `fill_mode` (see
    `baro.ops.image.affine_transform`). Acts only when called with
    `training=True`; otherwise the inputs pass through (cast to the layer's
    float dtype).

    Args:
        height_factor: A number f (range `[-f, f]`) or a pair `(lower, upper)`,
            fractions of the height in [-1, 1]; negative shifts up.
        width_factor: The same for the width; negative shifts left.
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest".
        interpolation: "bilinear" (default) or "nearest".
        seed: Optional int for reproducible draws.
        fill_value: Value outside the image for "constant". Default 0.
        data_format: "channels_last" (default) or "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: `(N, H, W, C)` or one image `(H, W, C)` (channels_first:
    `(N, C, H, W)`). Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.random_translation import (
        ...     RandomTranslation)
        >>> layer = RandomTranslation(0.0, (0.25, 0.25), fill_mode="constant")
        >>> x = np.array([[[1.0], [2.0], [3.0], [4.0]]], "float32")  # 1 x 4 image
        >>> layer(x, training=True).numpy()[..., 0]  # moved one pixel right
        array([[0., 1., 2., 3.]], dtype=float32)
    """

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed=None, fill_value: float = 0.0,
                 data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        owner = "RandomTranslation"
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = image_ops.factor_range(
            height_factor, "height_factor", owner)
        self.width_lower, self.width_upper = image_ops.factor_range(
            width_factor, "width_factor", owner)
        self.fill_mode = image_ops.check_option(fill_mode, FILL_MODES, "fill_mode",
                                                owner)
        self.interpolation = image_ops.check_option(
            interpolation, image_ops.INTERPOLATIONS, "interpolation", owner)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.fill_value = float(fill_value)
        first = channels_first(data_format, owner)
        self.data_format = "channels_first" if first else "channels_last"

    def call(self, inputs, training=None):
        x = ops.cast(inputs, self.dtype)
        n, h, w = image_ops.batch_and_size(x.shape, self.data_format,
                                           f"RandomTranslation {self.name!r}")
        if not training:
            return x
        dy = to_numpy(uniform((n,), self.height_lower, self.height_upper,
                              dtype="float64", seed=self.seed_generator)) * h
        dx = to_numpy(uniform((n,), self.width_lower, self.width_upper,
                              dtype="float64", seed=self.seed_generator)) * w
        return image_ops.affine_transform(
            x, image_ops.translation_transforms(dx, dy),
            interpolation=self.interpolation, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
