"""Elementwise math: exp, log, roots, trig, abs/sign, erf, clip, cast."""

from __future__ import annotations

import math

import numpy as np

from baro.backend.config import standardize_dtype
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops import special
from baro.ops.casting import Cast, NoGrad
from baro.ops.convert import as_float, as_tensor


class Exp(Function):
    """y = exp(x);  dx = g * y (the output is saved: it is the derivative)."""

    def forward(self, x):
        with np.errstate(over="ignore"):
            y = np.exp(x)
        self.saved = (y,)
        return y

    def backward(self, g):
        return g * self.saved[0]


class Log(Function):
    """y = log(x);  dx = g / x.  log(0) = -inf is allowed; x < 0 is an error."""

    domain_hint = "log needs x >= 0; add a small epsilon or clip the input."

    def forward(self, x):
        self.saved = (x,)
        with np.errstate(invalid="raise", divide="ignore"):
            return np.log(x)

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / self.saved[0]


class Log1p(Function):
    """y = log(1 + x);  dx = g / (1 + x).  Accurate for tiny x; needs x >= -1."""

    domain_hint = "log1p needs x >= -1."

    def forward(self, x):
        self.saved = (x,)
        with np.errstate(invalid="raise", divide="ignore"):
            return np.log1p(x)

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / (1 + self.saved[0])


class Sqrt(Function):
    """y = sqrt(x);  dx = g / (2 y).  Needs x >= 0."""

    domain_hint = "sqrt needs x >= 0; clip the input or add an epsilon."

    def forward(self, x):
        with np.errstate(invalid="raise"):
            y = np.sqrt(x)
        self.saved = (y,)
        return y

    def backward(self, g):
        with np.errstate(divide="ignore"):
            return g / (2 * self.saved[0])


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dx = -g * y**3 / 2.  Needs x >= 0."""

    domain_hint = "rsqrt needs x >= 0."

    def forward(self, x):
        with np.errstate(invalid="raise", divide="ignore"):
            y = 1 / np.sqrt(x)
        self.saved = (y,)
        return y

    def backward(self, g):
        y = self.saved[0]
        return g * (-0.5 * y * y * y)


class Abs(Function):
    """y = |x|;  dx = g * sign(x), so the gradient at 0 is 0."""

    def forward(self, x):
        self.saved = (x,)
        return np.abs(x)

    def backward(self, g):
        return g * np.sign(self.saved[0])


class Sin(Function):
    """y = sin(x);  dx = g * cos(x)."""

    def forward(self, x):
        self.saved = (x,)
        return np.sin(x)

    def backward(self, g):
        return g * np.cos(self.saved[0])


class Cos(Function):
    """y = cos(x);  dx = -g * sin(x)."""

    def forward(self, x):
        self.saved = (x,)
        return np.cos(x)

    def backward(self, g):
        return -g * np.sin(self.saved[0])


class Erf(Function):
    """y = erf(x);  dx = g * 2/sqrt(pi) * exp(-x**2)."""

    def forward(self, x):
        self.saved = (x,)
        return special.erf(x)

    def backward(self, g):
        x = self.saved[0]
        return g * ((2 / math.sqrt(math.pi)) * np.exp(-x * x))


class Clip(Function):
    """y = min(max(x, lo), hi);  dx = g where lo <= x <= hi, else 0."""

    def __init__(self, lo, hi) -> None:
        self.lo = lo
        self.hi = hi

    def forward(self, x):
        self.saved = (x,)
        return np.clip(x, self.lo, self.hi)

    def backward(self, g):
        x = self.saved[0]
        inside = (x >= self.lo) & (x <= self.hi)
        return g * inside


class StopGradient(Function):
    """y = x;  no gradient flows back (the output is never linked)."""

    differentiable = False

    def forward(self, x):
        return x

    def backward(self, g):
        return None


def exp(x):
    """Elementwise e**x.

    Example:
        >>> import baro
        >>> baro.exp([0.0]).numpy()
        array([1.], dtype=float32)
    """
    return Exp().apply(as_float(x, "exp"))


def log(x):
    """Natural logarithm. `log(0) = -inf`.

    Raises:
        ValueError: For negative inputs (they would produce NaN).
    """
    return Log().apply(as_float(x, "log"))


def log1p(x):
    """`log(1 + x)`, accurate when x is tiny."""
    return Log1p().apply(as_float(x, "log1p"))


def sqrt(x):
    """Square root.

    Raises:
        ValueError: For negative inputs.
    """
    return Sqrt().apply(as_float(x, "sqrt"))


def rsqrt(x):
    """`1 / sqrt(x)`."""
    return Rsqrt().apply(as_float(x, "rsqrt"))


def abs(x):  # noqa: A001 - the TF/Keras name
    """Absolute value; its gradient at 0 is 0."""
    return Abs().apply(as_tensor(x))


def sign(x):
    """-1, 0 or 1 by the sign of x. Its gradient is 0 everywhere (not recorded)."""
    return NoGrad(np.sign, "sign").apply(as_tensor(x))


def sin(x):
    """Sine, in radians."""
    return Sin().apply(as_float(x, "sin"))


def cos(x):
    """Cosine, in radians."""
    return Cos().apply(as_float(x, "cos"))


def erf(x):
    """Gauss error function, accurate to float64 rounding."""
    return Erf().apply(as_float(x, "erf"))


def clip(x, x_min, x_max):
    """Clamps x to [x_min, x_max] (`keras.ops.clip`, `tf.clip_by_value`).

    The gradient passes where x_min <= x <= x_max (bounds included), else 0.

    Raises:
        ValueError: If x_min > x_max.
    """
    x = as_tensor(x)
    lo = x_min.data if isinstance(x_min, Tensor) else x_min
    hi = x_max.data if isinstance(x_max, Tensor) else x_max
    if np.any(np.asarray(lo) > np.asarray(hi)):
        raise ValueError(f"clip: x_min ({lo}) must not exceed x_max ({hi}).")
    dtype = x.data.dtype
    if dtype.kind == "f":
        # float64 bounds (np.float64, float64 arrays) must not promote x.
        if getattr(lo, "dtype", dtype) != dtype:
            lo = np.asarray(lo, dtype)
        if getattr(hi, "dtype", dtype) != dtype:
            hi = np.asarray(hi, dtype)
    return Clip(lo, hi).apply(x)


def cast(x, dtype):
    """Converts to `dtype`. Gradients flow through float-to-float casts only.

    Example:
        >>> import baro
        >>> baro.cast([1.7, -1.7], "int32").numpy()
        array([ 1, -1], dtype=int32)
    """
    x = as_tensor(x)
    dtype = np.dtype(standardize_dtype(dtype))
    if x.data.dtype == dtype:
        return x
    if x.data.dtype.kind != "f":  # an integer source has no gradient to pass
        return NoGrad(lambda a: a.astype(dtype), "cast").apply(x)
    return Cast(dtype).apply(x)


def stop_gradient(x):
    """Returns x's value with no gradient flowing back through it."""
    return StopGradient().apply(as_tensor(x))


def floor(x):
    """Largest integer <= x, elementwise (not differentiable: no gradient)."""
    return NoGrad(np.floor, "floor").apply(as_tensor(x))


def ceil(x):
    """Smallest integer >= x, elementwise (no gradient)."""
    return NoGrad(np.ceil, "ceil").apply(as_tensor(x))


def round(x):  # noqa: A001 - the TF/Keras name
    """Rounds half to even, as NumPy and TF do (no gradient)."""
    return NoGrad(np.round, "round").apply(as_tensor(x))
