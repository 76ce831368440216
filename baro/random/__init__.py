"""`baro.random`: seeded random tensors under TensorFlow's `tf.random` names."""

from __future__ import annotations

from baro.backend.random import SeedGenerator
from baro.ops.creation import random_normal as normal
from baro.ops.creation import random_uniform as uniform
from baro.ops.creation import shuffle, truncated_normal
from baro.ops.nn import dropout
from baro.utils.seeding import set_random_seed


def set_seed(seed: int) -> None:
    """Sets the global seed (`tf.random.set_seed`); same as `set_random_seed`."""
    set_random_seed(seed)


__all__ = [
    "SeedGenerator",
    "dropout",
    "normal",
    "set_seed",
    "shuffle",
    "truncated_normal",
    "uniform",
]
