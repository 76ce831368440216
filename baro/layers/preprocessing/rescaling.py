"""Rescaling: y = x * scale + offset."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


def _json_ready(value, name: str):
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Rescaling: {name} must be a number or an array of "
                        f"numbers, received {name}={value!r}.")
    return float(array) if array.ndim == 0 else array.astype(float).tolist()


@register_serializable()
class Rescaling(Layer):
    """Multiplies inputs by `scale` and adds `offset`, in training and inference.

    `y = x * scale + offset`; e.g. `scale=1/255` maps [0, 255] to [0, 1] and
    `scale=1/127.5, offset=-1` maps it to [-1, 1]. Integer inputs become floats.

    Args:
        scale: A number, or an array broadcast against the inputs (one value per
            channel on the last axis).
        offset: Same, added after scaling. Default 0.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.rescaling import Rescaling
        >>> Rescaling(1 / 127.5, offset=-1)(np.array([0, 255], "uint8")).numpy()
        array([-1.,  1.], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale = _json_ready(scale, "scale")
        self.offset = _json_ready(offset, "offset")
        self.supports_masking = True

    def call(self, inputs):
        x = ops.cast(inputs, self.dtype)
        scale = np.asarray(self.scale, dtype=self.dtype)
        offset = np.asarray(self.offset, dtype=self.dtype)
        return x * ops.convert_to_tensor(scale) + ops.convert_to_tensor(offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
