"""Checks and conversions for optimizer arguments, shared by every optimizer.

Keras validates hyperparameters lazily or not at all; baro checks each one in
`__init__` and says which argument of which optimizer was wrong (MLX's habit).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from baro.core.tensor import Tensor


def default_epsilon(epsilon):
    """`epsilon=None` (Keras 2's signature) means the backend's fuzz factor."""
    if epsilon is None:
        from baro.backend.config import epsilon as backend_epsilon

        return backend_epsilon()
    return epsilon


def check_number(owner: str, name: str, value, low: float | None = None,
                 high: float | None = None, *, low_open: bool = False,
                 high_open: bool = False, hint: str = "") -> float:
    """Returns `value` as a Python float after checking it lies in an interval.

    Raises:
        TypeError: If `value` is not a real number.
        ValueError: If it lies outside the interval (NaN always does), with a
            message naming `owner`, the argument and the value received.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: argument `{name}` must be a float. Received: "
                        f"{name}={value!r} ({type(value).__name__}).{hint}")
    value = float(value)
    ok = low is None or (value > low if low_open else value >= low)
    ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok or math.isnan(value):
        left = "(" if low_open else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{low if low is not None else '-inf'}, " \
                   f"{high if high is not None else 'inf'}{right}"
        raise ValueError(f"{owner}: argument `{name}` must be in the range "
                         f"{interval}. Received: {name}={value!r}.{hint}")
    return value


def as_scalar(value):
    """A one-element Tensor or array as a Python float; anything else unchanged."""
    # np.float32(0.1) or a 0-d array passed as a hyperparameter counts as a number.
    if isinstance(value, (Tensor, np.ndarray)) and value.size == 1:
        return float(value)
    return value
