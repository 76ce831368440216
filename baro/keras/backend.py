"""`keras.backend`: configuration and session helpers."""

from baro.backend.config import epsilon, floatx, set_epsilon, set_floatx
from baro.utils.naming import reset_names


def clear_session() -> None:
    """Resets layer-name counters ("dense", "dense_1", ... start over)."""
    reset_names()


def image_data_format() -> str:
    """Always "channels_last", baro's layout for images."""
    return "channels_last"


def backend() -> str:
    """The name of the array backend ("numpy" or "cupy")."""
    from baro.backend.arrays import backend as _backend

    return _backend()


__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format",
           "set_epsilon", "set_floatx"]
