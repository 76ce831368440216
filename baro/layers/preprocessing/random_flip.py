"""RandomFlip: mirrors images at random during training."""

from __future__ import annotations

from baro import ops
from baro.backend.arrays import to_numpy
from baro.backend.random import SeedGenerator, uniform
from baro.layers.layer import Layer
from baro.ops.image import batch_and_size, check_option
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@register_serializable()
class RandomFlip(Layer):
    """Flips each image left-right and/or top-bottom with probability 1/2.

    Acts only when called with `training=True` (as in `fit`); otherwise the
    inputs pass through (cast to the layer's float dtype, as Keras outputs
    floats). With "horizontal_and_vertical" the two flips are drawn
    independently per image.

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or
            "horizontal_and_vertical" (default).
        seed: Optional int for reproducible draws.
        data_format: "channels_last" (default) or "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: `(N, H, W, C)` or one image `(H, W, C)` (channels_first:
    `(N, C, H, W)`). Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.random_flip import RandomFlip
        >>> x = np.arange(6.0, dtype="float32").reshape(1, 1, 6, 1)
        >>> y = RandomFlip("horizontal", seed=3)(x, training=True).numpy()
        >>> sorted(y.ravel()) == sorted(x.ravel())
        True
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed=None,
                 data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode = check_option(mode, _MODES, "mode", "RandomFlip")
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        first = channels_first(data_format, "RandomFlip")
        self.data_format = "channels_first" if first else "channels_last"

    def call(self, inputs, training=None):
        x = ops.cast(inputs, self.dtype)
        n, _, _ = batch_and_size(x.shape, self.data_format, f"RandomFlip {self.name!r}")
        if not training:
            return x
        # Image axes counted from the end, so one image and a batch share them.
        height_axis, width_axis = (-2, -1) if self.data_format == "channels_first" \
            else (-3, -2)
        axes = {"horizontal": [width_axis], "vertical": [height_axis],
                "horizontal_and_vertical": [width_axis, height_axis]}[self.mode]
        for axis in axes:
            flip = to_numpy(uniform((n,), dtype="float64", seed=self.seed_generator))
            flip = (flip < 0.5).reshape((n, 1, 1, 1)[4 - x.ndim:])
            if not flip.any():
                continue
            reverse = [slice(None)] * x.ndim
            reverse[axis] = slice(None, None, -1)
            x = ops.where(flip, x[tuple(reverse)], x)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "seed": self.seed,
                "data_format": self.data_format}
