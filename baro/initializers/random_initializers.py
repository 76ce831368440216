"""Random initializers: normal, uniform, truncated normal, variance scaling and
its Glorot / He / LeCun presets, orthogonal.

Seeds follow Keras 3: `seed=None` draws an integer seed once, when the
initializer is built (from baro's global generator, so
`baro.utils.set_random_seed` makes it reproducible); after that every call
returns the same values, as with an int seed. A `baro.backend.SeedGenerator`
advances on each call and so gives new values every time.
"""

from __future__ import annotations

import math

import numpy as np

from baro.backend import random as backend_random
from baro.backend.arrays import get_array_module
from baro.backend.random import SeedGenerator
from baro.core.tensor import Tensor
from baro.initializers.initializer import Initializer, float_dtype, standardize_shape
from baro.saving.registry import register_serializable

# std of a standard normal truncated to [-2, 2]; dividing by it restores the
# requested stddev after truncation (Keras's constant).
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape, as Keras computes them.

    Scalars: (1, 1). 1-D: (n, n). 2-D (in, out): (in, out). Conv kernels
    (*spatial, in, out): receptive field rf = prod(spatial), (in * rf, out * rf).

    Example:
        >>> from baro.initializers import compute_fans
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class RandomInitializer(Initializer):
    """Base of the seeded initializers: validates and stores `seed`.

    Raises:
        ValueError: If `seed` is not None, an int or a SeedGenerator.
    """

    def __init__(self, seed=None) -> None:
        is_int = isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
        if seed is not None and not is_int and not isinstance(seed, SeedGenerator):
            raise ValueError(
                f"{type(self).__name__}: seed must be None, an int or a "
                f"baro.backend.SeedGenerator, received seed={seed!r}.")
        self._init_seed = seed
        if seed is None:
            # Keras 3's make_default_seed: drawn once, so calls repeat values.
            seed = int(backend_random.resolve_generator(None).integers(1, 10**9))
        self.seed = seed

    def get_config(self) -> dict:
        seed = self._init_seed
        # A SeedGenerator saves as the int it started from.
        if isinstance(seed, SeedGenerator):
            seed = seed.seed
        return {"seed": None if seed is None else int(seed)}


@register_serializable()
class RandomNormal(RandomInitializer):
    """Draws from N(mean, stddev^2).

    Args:
        mean: Mean of the draws (default 0.0).
        stddev: Standard deviation (default 0.05).
        seed: None, an int or a SeedGenerator (default None; see module doc).

    Example:
        >>> from baro.initializers import RandomNormal
        >>> init = RandomNormal(stddev=1.0, seed=0)
        >>> bool((init((2, 2)).numpy() == init((2, 2)).numpy()).all())
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None) -> None:
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "RandomNormal")
        dtype = float_dtype(dtype, "RandomNormal")
        return Tensor(backend_random.normal(shape, self.mean, self.stddev, dtype,
                                            self.seed))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@register_serializable()
class RandomUniform(RandomInitializer):
    """Draws from U[minval, maxval).

    Args:
        minval: Lower bound, inclusive (default -0.05).
        maxval: Upper bound, exclusive (default 0.05).
        seed: None, an int or a SeedGenerator (default None).

    Example:
        >>> from baro.initializers import RandomUniform
        >>> w = RandomUniform(0.0, 1.0, seed=1)((100,)).numpy()
        >>> bool(w.min() >= 0.0 and w.max() < 1.0)
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed=None) -> None:
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "RandomUniform")
        dtype = float_dtype(dtype, "RandomUniform")
        return Tensor(backend_random.uniform(shape, self.minval, self.maxval, dtype,
                                             self.seed))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval,
                **super().get_config()}


@register_serializable()
class TruncatedNormal(RandomInitializer):
    """Draws from N(mean, stddev^2), redrawing values beyond 2 stddev.

    The draws' own standard deviation is therefore about 0.88 * stddev.

    Args:
        mean: Mean of the draws (default 0.0).
        stddev: Standard deviation before truncation (default 0.05).
        seed: None, an int or a SeedGenerator (default None).

    Example:
        >>> from baro.initializers import TruncatedNormal
        >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,)).numpy()
        >>> bool(abs(w).max() <= 2.0)
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None) -> None:
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "TruncatedNormal")
        dtype = float_dtype(dtype, "TruncatedNormal")
        return Tensor(backend_random.truncated_normal(shape, self.mean, self.stddev,
                                                      dtype, self.seed))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


@register_serializable()
class VarianceScaling(RandomInitializer):
    """Draws with variance scale / n, n set by the weight's fans.

    n = fan_in, fan_out or (fan_in + fan_out) / 2 by `mode`, at least 1 (see
    `compute_fans`). Then, by `distribution`:

    - "truncated_normal": N(0, s^2) truncated at 2 s, with
      s = sqrt(scale / n) / 0.87962566 so the truncated draws have std
      sqrt(scale / n);
    - "untruncated_normal": N(0, scale / n);
    - "uniform": U[-limit, limit) with limit = sqrt(3 scale / n).

    Args:
        scale: Positive scaling factor (default 1.0).
        mode: "fan_in", "fan_out" or "fan_avg" (default "fan_in").
        distribution: "truncated_normal", "untruncated_normal" or "uniform";
            "normal" means "truncated_normal" (default "truncated_normal").
        seed: None, an int or a SeedGenerator (default None).

    Raises:
        ValueError: For a non-positive scale or an unknown mode or distribution.

    Example:
        >>> from baro.initializers import VarianceScaling
        >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")
        >>> w = init((50, 10)).numpy()
        >>> bool(abs(w).max() < (3 * 2.0 / 50) ** 0.5)
        True
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed=None) -> None:
        name = type(self).__name__
        if not scale > 0:
            raise ValueError(f"{name}: scale must be a positive float, received "
                             f"scale={scale!r}.")
        if mode not in _MODES:
            raise ValueError(f"{name}: mode must be one of {_MODES}, received "
                             f"mode={mode!r}.")
        dist = str(distribution).lower()
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in _DISTRIBUTIONS:
            raise ValueError(f"{name}: distribution must be one of {_DISTRIBUTIONS}"
                             f", received distribution={distribution!r}.")
        self.scale = scale
        self.mode = mode
        self.distribution = dist
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        name = type(self).__name__
        shape = standardize_shape(shape, name)
        dtype = float_dtype(dtype, name)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out,
             "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STD
            data = backend_random.truncated_normal(shape, 0.0, stddev, dtype,
                                                   self.seed)
        elif self.distribution == "untruncated_normal":
            data = backend_random.normal(shape, 0.0, math.sqrt(variance), dtype,
                                         self.seed)
        else:
            limit = math.sqrt(3.0 * variance)
            data = backend_random.uniform(shape, -limit, limit, dtype, self.seed)
        return Tensor(data)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, **super().get_config()}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed arguments; only `seed` is configurable."""

    preset: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None) -> None:
        scale, mode, distribution = self.preset
        super().__init__(scale, mode, distribution, seed)

    def get_config(self) -> dict:
        return {"seed": super().get_config()["seed"]}


@register_serializable()
class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: U[-limit, limit), limit = sqrt(6 / (fan_in +
    fan_out)); VarianceScaling(1.0, "fan_avg", "uniform").

    Args:
        seed: None, an int or a SeedGenerator (default None).
    """

    preset = (1.0, "fan_avg", "uniform")


@register_serializable()
class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with std sqrt(2 / (fan_in +
    fan_out)); VarianceScaling(1.0, "fan_avg", "truncated_normal").

    Args:
        seed: None, an int or a SeedGenerator (default None).
    """

    preset = (1.0, "fan_avg", "truncated_normal")


@register_serializable()
class HeNormal(_Preset):
    """He normal: truncated normal with std sqrt(2 / fan_in);
    VarianceScaling(2.0, "fan_in", "truncated_normal").

    Args:
        seed: None, an int or a SeedGenerator (default None).
    """

    preset = (2.0, "fan_in", "truncated_normal")


@register_serializable()
class HeUniform(_Preset):
    """He uniform: U[-limit, limit), limit = sqrt(6 / fan_in);
    VarianceScaling(2.0, "fan_in", "uniform").

    Args:
        seed: None, an int or a SeedGenerator (default None).
    """

    preset = (2.0, "fan_in", "uniform")


@register_serializable()
class LecunNormal(_Preset):
    """LeCun normal: truncated normal with std sqrt(1 / fan_in);
    VarianceScaling(1.0, "fan_in", "truncated_normal"). Pairs with `selu`.

    Args:
        seed: None, an int or a SeedGenerator (default None).
    """

    preset = (1.0, "fan_in", "truncated_normal")


@register_serializable()
class LecunUniform(_Preset):
    """LeCun uniform: U[-limit, limit), limit = sqrt(3 / fan_in);
    VarianceScaling(1.0, "fan_in", "uniform").

    Args:
        seed: None, an int or a SeedGenerator (default None).
    """

    preset = (1.0, "fan_in", "uniform")


@register_serializable()
class Orthogonal(RandomInitializer):
    """gain * an orthogonal matrix, from the QR decomposition of normal draws.

    The shape is flattened to (prod(shape[:-1]), shape[-1]); the result has
    orthonormal columns, or orthonormal rows when there are fewer rows than
    columns. Q's columns are multiplied by sign(diag(R)) so the draw is
    uniform over orthogonal matrices (Saxe et al., 2014).

    Args:
        gain: Multiplier of the orthogonal matrix (default 1.0).
        seed: None, an int or a SeedGenerator (default None).

    Raises:
        ValueError: When called with a shape of rank < 2.

    Example:
        >>> import numpy as np
        >>> from baro.initializers import Orthogonal
        >>> q = Orthogonal(seed=0)((4, 4)).numpy()
        >>> bool(np.allclose(q.T @ q, np.eye(4), atol=1e-5))
        True
    """

    def __init__(self, gain: float = 1.0, seed=None) -> None:
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = standardize_shape(shape, "Orthogonal")
        dtype = float_dtype(dtype, "Orthogonal")
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal initializer needs a shape of rank >= 2, received "
                f"shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        # QR in float64 whatever the target dtype: orthogonality to 1e-15.
        a = backend_random.normal((max(rows, cols), min(rows, cols)), 0.0, 1.0,
                                  "float64", self.seed)
        xp = get_array_module(a)
        q, r = xp.linalg.qr(a)
        # sign(0) would zero a column; a zero diagonal has probability 0 but
        # must not break orthogonality.
        q = q * xp.where(xp.diagonal(r) < 0, -1.0, 1.0)
        if rows < cols:
            q = q.T
        return Tensor((self.gain * q).reshape(shape).astype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain, **super().get_config()}
