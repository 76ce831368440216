"""Seeded random arrays. Every draw in baro comes from here."""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import xp
from baro.backend.config import floatx, standardize_dtype
from baro.utils.seeding import get_random_seed, seed_version

_global = {"version": -1, "generator": None}


class SeedGenerator:
    """A stateful source of random draws, for layers that take `seed=`.

    Two generators built with the same seed give the same sequence of draws; each
    draw advances the state, so repeated calls give different numbers (Keras's
    `keras.random.SeedGenerator`).

    Args:
        seed: Integer seed, or None to derive one from the global seed.
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            seed = int(global_generator().integers(0, 2**31 - 1))
        self.seed = int(seed)
        self.generator = np.random.Generator(np.random.PCG64(self.seed))

    def __repr__(self) -> str:
        return f"SeedGenerator(seed={self.seed})"


def global_generator() -> np.random.Generator:
    """The generator behind unseeded draws; rebuilt when the global seed changes."""
    if _global["version"] != seed_version() or _global["generator"] is None:
        seed = get_random_seed()
        bits = np.random.PCG64(seed) if seed is not None else np.random.PCG64()
        _global["generator"] = np.random.Generator(bits)
        _global["version"] = seed_version()
    return _global["generator"]


def resolve_generator(seed=None) -> np.random.Generator:
    """Maps a `seed=` argument to a generator.

    None draws from the global generator; an int gives a fresh generator (the same
    draws every call, as a stateless seed does in Keras); a `SeedGenerator` advances.
    """
    if seed is None:
        return global_generator()
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.Generator(np.random.PCG64(int(seed)))
    raise TypeError(
        f"seed must be None, an int or a SeedGenerator, received {seed!r}."
    )


def _finish(array: np.ndarray, dtype):
    dtype = standardize_dtype(dtype)
    module = xp()
    if module is np:
        return array.astype(dtype, copy=False)
    return module.asarray(array, dtype=dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Array of draws from N(mean, stddev**2)."""
    gen = resolve_generator(seed)
    return _finish(gen.normal(mean, stddev, size=tuple(shape)), dtype or floatx())


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Array of draws from U[minval, maxval)."""
    gen = resolve_generator(seed)
    dtype = standardize_dtype(dtype or floatx())
    if np.dtype(dtype).kind in "iu":
        draws = gen.integers(int(minval), int(maxval), size=tuple(shape))
        return _finish(draws, dtype)
    return _finish(gen.uniform(minval, maxval, size=tuple(shape)), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev**2) draws, redrawn where they fall beyond two stddevs."""
    gen = resolve_generator(seed)
    draws = gen.standard_normal(size=tuple(shape))
    outside = np.abs(draws) > 2.0
    while outside.any():
        draws[outside] = gen.standard_normal(size=int(outside.sum()))
        outside = np.abs(draws) > 2.0
    return _finish(mean + stddev * draws, dtype or floatx())


def random_float_mask(shape, dtype, seed=None):
    """Uniform [0, 1) draws in `dtype`, drawn directly (no float64 detour)."""
    gen = resolve_generator(seed)
    dtype = np.dtype(standardize_dtype(dtype))
    if dtype in (np.float32, np.float64):
        return _finish(gen.random(size=tuple(shape), dtype=dtype), dtype)
    return _finish(gen.random(size=tuple(shape)), dtype)


def permutation(n: int, seed=None):
    """A random permutation of `range(n)`."""
    return resolve_generator(seed).permutation(n)
