"""RandomRotation: rotates images by random angles during training."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.arrays import to_numpy
from baro.backend.random import SeedGenerator, uniform
from baro.layers.layer import Layer
from baro.ops import image as image_ops
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable

FILL_MODES = ("reflect", "wrap", "constant", "nearest")


@register_serializable()
class RandomRotation(Layer):
    """Rotates each image about its centre by a random angle during training.

    The angle is drawn uniformly from `[lower, upper] * 2 pi` per image;
    positive angles turn the content counter-clockwise. Output pixel (x, y)
    samples the input at the point rotated back about ((W - 1) / 2, (H - 1) / 2)
    (see `baro.ops.image.affine_transform` for fill modes). Acts only when
    called with `training=True`; otherwise the inputs pass through (cast to the
    layer's float dtype).

    Args:
        factor: Fraction of a full turn: a number f gives `[-f, f]`, a pair
            `(lower, upper)` that range; values in [-1, 1]. E.g. 0.1 is up to
            36 degrees either way.
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
        >>> from baro.layers.preprocessing.random_rotation import RandomRotation
        >>> layer = RandomRotation((0.25, 0.25), fill_mode="constant")  # 90 deg
        >>> x = np.arange(4.0, dtype="float32").reshape(1, 2, 2, 1)
        >>> layer(x, training=True).numpy()[0, :, :, 0]
        array([[1., 3.],
               [0., 2.]], dtype=float32)
    """

    def __init__(self, factor, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed=None, fill_value: float = 0.0,
                 data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        owner = "RandomRotation"
        self.factor = factor
        self.lower, self.upper = image_ops.factor_range(factor, "factor", owner)
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
                                           f"RandomRotation {self.name!r}")
        if not training:
            return x
        turns = to_numpy(uniform((n,), self.lower, self.upper, dtype="float64",
                                 seed=self.seed_generator))
        transforms = image_ops.rotation_transforms(2 * np.pi * turns, h, w)
        return image_ops.affine_transform(
            x, transforms, interpolation=self.interpolation, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value,
                "data_format": self.data_format}
