"""Level 1: the array module, dtypes and the seeded random generator.

This is the only package that may name CuPy; everything above asks it for `xp`.
"""

from baro.backend import random
from baro.backend.arrays import (
    backend,
    convert_to_array,
    get_array_module,
    set_backend,
    to_numpy,
    xp,
)
from baro.backend.config import (
    epsilon,
    floatx,
    is_float_dtype,
    set_epsilon,
    set_floatx,
    standardize_dtype,
)
from baro.backend.random import SeedGenerator

__all__ = [
    "SeedGenerator",
    "backend",
    "convert_to_array",
    "epsilon",
    "floatx",
    "get_array_module",
    "is_float_dtype",
    "random",
    "set_backend",
    "set_epsilon",
    "set_floatx",
    "standardize_dtype",
    "to_numpy",
    "xp",
]
