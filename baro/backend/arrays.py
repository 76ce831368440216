"""The array module (`xp`): NumPy by default, CuPy when chosen.

Only this package may name cupy.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np

from baro.backend.config import floatx

_state: dict = {"name": "numpy", "xp": np}


def backend() -> str:
    """Returns the name of the active array backend: `"numpy"` or `"cupy"`."""
    return _state["name"]


def set_backend(name: str) -> None:
    """Chooses the array module new tensors are created with.

    Args:
        name: `"numpy"` (default, CPU) or `"cupy"` (NVIDIA GPU, needs `baro[gpu]`).

    Raises:
        ValueError: For an unknown name.
        ImportError: If `"cupy"` is asked for and CuPy is not installed.
    """
    if name == "numpy":
        _state.update(name="numpy", xp=np)
    elif name == "cupy":
        try:
            module = importlib.import_module("cupy")
        except ImportError as err:
            raise ImportError(
                "set_backend('cupy') needs CuPy: pip install 'baro[gpu]'."
            ) from err
        _state.update(name="cupy", xp=module)
    else:
        raise ValueError(
            f"set_backend expects 'numpy' or 'cupy', received {name!r}."
        )


def xp() -> ModuleType:
    """Returns the active array module (what new arrays are made with)."""
    return _state["xp"]


def get_array_module(x) -> ModuleType:
    """Returns the array module that owns `x` (NumPy for NumPy arrays and scalars)."""
    if type(x) is np.ndarray or _state["xp"] is np:
        return np
    return _state["xp"].get_array_module(x)


def to_numpy(x) -> np.ndarray:
    """Copies `x` to host memory as a NumPy array (no copy if it already is one)."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "get"):  # cupy.ndarray
        return x.get()
    return np.asarray(x)


def convert_to_array(value, dtype=None):
    """Turns Python numbers, lists and arrays into an array of the active backend.

    Python floats (and lists of them) become `floatx()`, Python ints become int32 and
    bools bool, as in Keras; NumPy arrays keep their dtype unless `dtype` is given.

    Args:
        value: A number, nested list, NumPy or CuPy array.
        dtype: Optional dtype to cast to.

    Returns:
        An array of the active array module.

    Raises:
        TypeError: If `value` cannot become a numeric array.
    """
    module = _state["xp"]
    if dtype is None and not hasattr(value, "dtype"):
        probe = np.asarray(value)
        kind = probe.dtype.kind
        if kind == "f":
            dtype = floatx()
        elif kind in "iu" and probe.dtype == np.int64 and _is_python_ints(value):
            dtype = "int32" if _fits_int32(probe) else "int64"
        elif kind not in "biuf":
            raise TypeError(
                f"Cannot convert {value!r} (dtype {probe.dtype}) to a tensor: "
                "expected numbers, nested lists of numbers, or an array."
            )
        return module.asarray(probe, dtype=dtype)
    if hasattr(value, "dtype") and np.dtype(value.dtype).kind not in "biufc":
        raise TypeError(
            f"Cannot convert an array of dtype {value.dtype} to a tensor: "
            "expected a numeric or boolean dtype."
        )
    return module.asarray(value, dtype=dtype)


def _is_python_ints(value) -> bool:
    # Plain Python ints (and lists of them) follow Keras and become int32.
    return isinstance(value, (int, list, tuple))


def _fits_int32(array: np.ndarray) -> bool:
    if array.size == 0:
        return True
    return bool(array.min() >= -(2**31) and array.max() < 2**31)
