"""`keras.config`: global settings (float type, fuzz factor, unsafe loading)."""

from baro.backend.arrays import backend
from baro.backend.config import epsilon, floatx, set_epsilon, set_floatx
from baro.saving.scope import enable_unsafe_deserialization


def image_data_format() -> str:
    """Always "channels_last" (baro's layers default to it, as Keras does)."""
    return "channels_last"


__all__ = ["backend", "enable_unsafe_deserialization", "epsilon", "floatx",
           "image_data_format", "set_epsilon", "set_floatx"]
