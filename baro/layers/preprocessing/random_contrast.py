"""RandomContrast: scales each image's deviation from its mean at random."""

from __future__ import annotations

from baro import ops
from baro.backend.random import SeedGenerator, uniform
from baro.layers.layer import Layer
from baro.ops.image import batch_and_size
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@register_serializable()
class RandomContrast(Layer):
    """Adjusts the contrast of each image by a random factor during training.

    Per image a factor c ~ U[1 - lower, 1 + upper] is drawn, and every channel
    becomes `(x - mean) * c + mean`, with `mean` that channel's mean over the
    image; the result is clipped to `value_range`. Acts only when called with
    `training=True`; otherwise the inputs pass through (cast to the layer's
    float dtype).

    Args:
        factor: A number f in [0, 1] (lower = upper = f) or a pair
            `(lower, upper)` with 0 <= lower <= 1 and upper >= 0.
        value_range: `(low, high)` the images live in; outputs are clipped to it.
            Default (0, 255).
        seed: Optional int for reproducible draws.
        data_format: "channels_last" (default) or "channels_first".
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: `(N, H, W, C)` or one image `(H, W, C)` (channels_first:
    `(N, C, H, W)`). Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.random_contrast import RandomContrast
        >>> x = np.array([[[[10.0], [30.0]]]], "float32")  # mean 20
        >>> y = RandomContrast(0.5, seed=1)(x, training=True).numpy().ravel()
        >>> float(y.mean()), bool(5 <= y[0] <= 15)  # c in [0.5, 1.5]
        (20.0, True)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        pair = (factor, factor) if _is_number(factor) else factor
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and
                all(_is_number(v) for v in pair) and 0 <= pair[0] <= 1 and
                pair[1] >= 0):
            raise ValueError(
                "RandomContrast: factor must be a number in [0, 1] or a pair "
                "(lower, upper) with 0 <= lower <= 1 and upper >= 0 (contrast "
                f"drawn from [1 - lower, 1 + upper]), received factor={factor!r}.")
        if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2 and
                all(_is_number(v) for v in value_range) and
                value_range[0] < value_range[1]):
            raise ValueError(
                "RandomContrast: value_range must be (low, high) with low < high, "
                f"received value_range={value_range!r}.")
        self.factor = factor
        self.lower, self.upper = float(pair[0]), float(pair[1])
        self.value_range = tuple(value_range)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        first = channels_first(data_format, "RandomContrast")
        self.data_format = "channels_first" if first else "channels_last"

    def call(self, inputs, training=None):
        x = ops.cast(inputs, self.dtype)
        n, _, _ = batch_and_size(x.shape, self.data_format,
                                 f"RandomContrast {self.name!r}")
        if not training:
            return x
        contrast = uniform((n, 1, 1, 1)[4 - x.ndim:], 1.0 - self.lower,
                           1.0 + self.upper, dtype=self.dtype,
                           seed=self.seed_generator)
        axes = (-2, -1) if self.data_format == "channels_first" else (-3, -2)
        mean = ops.mean(x, axis=axes, keepdims=True)
        y = (x - mean) * ops.convert_to_tensor(contrast) + mean
        return ops.clip(y, self.value_range[0], self.value_range[1])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed,
                "data_format": self.data_format}
