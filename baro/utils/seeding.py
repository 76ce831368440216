"""Global seed: one call makes every random draw in baro reproducible."""

from __future__ import annotations

import random

import numpy as np

# The seed lives here (level 0) so that `baro.utils.set_random_seed` needs nothing from
# higher levels; `baro.backend.random` rebuilds its generator whenever `version` moves.
_state = {"seed": None, "version": 0}


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy's legacy global RNG and baro's generator.

    After this call, runs of the same program are identical bit for bit (Keras's
    `keras.utils.set_random_seed` does the same three things).

    Args:
        seed: A non-negative integer.

    Raises:
        TypeError: If `seed` is not an integer.

    Example:
        >>> import baro
        >>> baro.utils.set_random_seed(0)
        >>> a = baro.random.normal((2,)).numpy()
        >>> baro.utils.set_random_seed(0)
        >>> bool((a == baro.random.normal((2,)).numpy()).all())
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"set_random_seed expects an integer seed, received {seed!r} "
            f"of type {type(seed).__name__}."
        )
    if seed < 0:
        raise ValueError(f"set_random_seed expects seed >= 0, received {seed}.")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _state["seed"] = int(seed)
    _state["version"] += 1


def get_random_seed() -> int | None:
    """Returns the seed last given to `set_random_seed`, or None."""
    return _state["seed"]


def seed_version() -> int:
    """Returns a counter that changes on every `set_random_seed` call."""
    return _state["version"]
