"""`keras.backend`: configuration and session helpers."""

from baro.backend.config import epsilon, floatx, set_epsilon, set_floatx
from baro.utils.naming import reset_names


def clear_session() -> None:
    """Resets layer-name counters ("dense", "dense_1", ... start over)."""
    reset_names()


def image_data_format() -> str:
    """Always "channels_last", baro's layout for images."""
    return "channels_last"


def get_value(x):
    """The value of a variable or tensor as NumPy (Keras 2's `K.get_value`)."""
    return x.numpy() if hasattr(x, "numpy") else x


def set_value(x, value) -> None:
    """Assigns `value` to a variable in place (`K.set_value(opt.lr, 1e-3)`)."""
    if not hasattr(x, "assign"):
        raise TypeError(f"set_value needs a variable, received {type(x).__name__}.")
    x.assign(value)


def backend() -> str:
    """The name of the array backend ("numpy" or "cupy")."""
    from baro.backend.arrays import backend as _backend

    return _backend()


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_value",
           "image_data_format", "set_epsilon", "set_floatx", "set_value"]
