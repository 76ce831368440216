"""Documented global configuration: default float dtype, fuzz factor, array backend."""

from __future__ import annotations

import numpy as np

_FLOAT_DTYPES = ("float16", "float32", "float64")
_config = {"floatx": "float32", "epsilon": 1e-7}


def floatx() -> str:
    """Returns the default float dtype as a string, `"float32"` unless changed.

    Example:
        >>> import baro
        >>> baro.backend.floatx()
        'float32'
    """
    return _config["floatx"]


def set_floatx(value: str) -> None:
    """Sets the default float dtype used for Python numbers and new weights.

    Args:
        value: One of `"float16"`, `"float32"`, `"float64"`.

    Raises:
        ValueError: If `value` is not a float dtype name.
    """
    name = np.dtype(value).name if _is_dtype_like(value) else str(value)
    if name not in _FLOAT_DTYPES:
        raise ValueError(
            f"set_floatx expects one of {_FLOAT_DTYPES}, received {value!r}."
        )
    _config["floatx"] = name


def epsilon() -> float:
    """Returns the fuzz factor used to avoid division by zero (default 1e-7).

    Example:
        >>> import baro
        >>> baro.backend.epsilon()
        1e-07
    """
    return _config["epsilon"]


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor returned by `epsilon()`."""
    _config["epsilon"] = float(value)


def standardize_dtype(dtype) -> str:
    """Returns the canonical string name of a dtype (`np.float32` -> `"float32"`).

    Raises:
        TypeError: If `dtype` does not name a NumPy dtype.
    """
    if dtype is None:
        return floatx()
    try:
        # Every cast and loss asks; NumPy's `dtype.name` is Python code
        # (~2 us), so names are remembered per dtype object or string.
        found = _NAMES.get(dtype)
    except TypeError:  # unhashable: not a dtype, but let NumPy say so below
        found = None
    if found is not None:
        return found
    if isinstance(dtype, str) and dtype in ("float", "floatx"):
        return floatx()
    key = dtype
    if hasattr(dtype, "as_numpy_dtype"):  # a tf.DType-like object
        dtype = dtype.as_numpy_dtype
    try:
        name = np.dtype(dtype).name
    except TypeError as err:
        raise TypeError(f"{dtype!r} is not a dtype baro understands.") from err
    try:
        _NAMES[key] = name
    except TypeError:
        pass
    return name


_NAMES: dict = {}


def is_float_dtype(dtype) -> bool:
    """True for floating-point dtypes (the ones gradients flow through)."""
    return np.dtype(dtype).kind == "f"


def _is_dtype_like(value) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True
