"""Activation functions as primitives, each with a hand-written backward.

Kink conventions (pinned by tests): relu'(0) = 0, relu6' = 0 at 0 and 6,
leaky_relu'(0) = negative_slope, elu'(0) = 1 (the x <= 0 branch: y + alpha),
hard_sigmoid' = 0 at -3 and 3.
"""

from __future__ import annotations

import math

import numpy as np

from baro.core.function import Function
from baro.ops import special
from baro.ops.convert import as_float, normalize_axis

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _sigmoid(x):
    # exp(-x) overflows to inf for very negative x, and 1 / (1 + inf) = 0 is the
    # right limit; one pass fewer than the two-branch formula.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dx = g * y * (1 - y)."""

    def forward(self, x):
        y = _sigmoid(x)
        self.saved = (y,)
        return y

    def backward(self, g):
        y = self.saved[0]
        return g * y * (1 - y)


class Tanh(Function):
    """y = tanh(x);  dx = g * (1 - y**2)."""

    def forward(self, x):
        y = np.tanh(x)
        self.saved = (y,)
        return y

    def backward(self, g):
        y = self.saved[0]
        return g * (1 - y * y)


class Relu(Function):
    """y = max(x, 0);  dx = g where x > 0, so relu'(0) = 0."""

    def forward(self, x):
        y = np.maximum(x, 0)
        self.saved = (y,)
        return y

    def backward(self, g):
        return g * (self.saved[0] > 0)


class Relu6(Function):
    """y = min(max(x, 0), 6);  dx = g where 0 < x < 6."""

    def forward(self, x):
        self.saved = (x,)
        return np.clip(x, 0, 6)

    def backward(self, g):
        x = self.saved[0]
        return g * ((x > 0) & (x < 6))


class LeakyRelu(Function):
    """y = x if x > 0 else a * x;  dx = g if x > 0 else a * g."""

    def __init__(self, negative_slope: float) -> None:
        self.a = negative_slope

    def forward(self, x):
        positive = x > 0
        self.saved = (positive,)
        return np.where(positive, x, x * self.a)

    def backward(self, g):
        positive = self.saved[0]
        return np.where(positive, g, g * self.a)


class Elu(Function):
    """y = x if x > 0 else s * a * (exp(x) - 1);  dx = s * g or g * (y + s * a).

    `s` is 1 for ELU and the SELU scale for SELU.
    """

    def __init__(self, alpha: float, scale: float = 1.0) -> None:
        self.alpha = alpha
        self.scale = scale

    def forward(self, x):
        positive = x > 0
        sa = self.scale * self.alpha
        with np.errstate(over="ignore"):
            negative_part = sa * np.expm1(np.minimum(x, 0))
        y = np.where(positive, self.scale * x, negative_part)
        self.saved = (positive, y)
        return y

    def backward(self, g):
        positive, y = self.saved
        return g * np.where(positive, self.scale, y + self.scale * self.alpha)


class Gelu(Function):
    """GELU. Exact: y = x * Phi(x) with Phi the normal CDF;
    dx = g * (Phi(x) + x * phi(x)).
    Tanh approximation: y = x/2 * (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3);
    dx = g * (1/2 (1 + t) + x/2 (1 - t^2) du/dx).
    """

    def __init__(self, approximate: bool) -> None:
        self.approximate = approximate

    def forward(self, x):
        if self.approximate:
            t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))
            self.saved = (x, t)
            return 0.5 * x * (1 + t)
        cdf = 0.5 * (1 + special.erf(x / math.sqrt(2)))
        self.saved = (x, cdf)
        return x * cdf

    def backward(self, g):
        x, aux = self.saved
        if self.approximate:
            t = aux
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return g * (aux + x * pdf)


class Softplus(Function):
    """y = log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|));
    dx = g * sigmoid(x)."""

    def forward(self, x):
        self.saved = (x,)
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        return g * _sigmoid(self.saved[0])


class Softsign(Function):
    """y = x / (1 + |x|);  dx = g / (1 + |x|)**2."""

    def forward(self, x):
        d = 1 + np.abs(x)
        self.saved = (d,)
        return x / d

    def backward(self, g):
        d = self.saved[0]
        return g / (d * d)


class Silu(Function):
    """y = x * sigmoid(x) (swish);  dx = g * (s + x * s * (1 - s))."""

    def forward(self, x):
        s = _sigmoid(x)
        self.saved = (x, s)
        return x * s

    def backward(self, g):
        x, s = self.saved
        return g * (s * (1 + x * (1 - s)))


class HardSigmoid(Function):
    """y = clip(x / 6 + 1/2, 0, 1) (Keras 3);  dx = g / 6 where -3 < x < 3."""

    def forward(self, x):
        self.saved = (x,)
        return np.clip(x / 6 + 0.5, 0, 1)

    def backward(self, g):
        x = self.saved[0]
        return g * ((x > -3) & (x < 3)) / 6


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max));  dx = y * (g - sum(g * y))."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        # One fresh array, exponentiated and normalized in place.
        y = x - x.max(axis=self.axis, keepdims=True)
        np.exp(y, out=y)
        y /= y.sum(axis=self.axis, keepdims=True)
        self.saved = (y,)
        return y

    def backward(self, g):
        y = self.saved[0]
        gy = g * y
        return gy - y * gy.sum(axis=self.axis, keepdims=True)


class LogSoftmax(Function):
    """y = x - max - log(sum(exp(x - max)));  dx = g - exp(y) * sum(g)."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        z = x - x.max(axis=self.axis, keepdims=True)
        y = z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))
        self.saved = (y,)
        return y

    def backward(self, g):
        y = self.saved[0]
        return g - np.exp(y) * g.sum(axis=self.axis, keepdims=True)


def sigmoid(x):
    """Logistic sigmoid, stable for large |x|.

    Example:
        >>> import baro
        >>> baro.sigmoid([0.0]).numpy()
        array([0.5], dtype=float32)
    """
    return Sigmoid().apply(as_float(x, "sigmoid"))


def tanh(x):
    """Hyperbolic tangent."""
    return Tanh().apply(as_float(x, "tanh"))


def relu(x):
    """Rectified linear unit `max(x, 0)`; relu'(0) = 0."""
    return Relu().apply(as_float(x, "relu"))


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return Relu6().apply(as_float(x, "relu6"))


def leaky_relu(x, negative_slope: float = 0.2):
    """`x` for x > 0, else `negative_slope * x` (default 0.2 as `keras.ops`)."""
    return LeakyRelu(float(negative_slope)).apply(as_float(x, "leaky_relu"))


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: x for x > 0, else alpha * (exp(x) - 1)."""
    return Elu(float(alpha)).apply(as_float(x, "elu"))


def selu(x):
    """Scaled ELU with the self-normalizing constants (alpha 1.6733, scale 1.0507)."""
    return Elu(_SELU_ALPHA, _SELU_SCALE).apply(as_float(x, "selu"))


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit. `approximate=True` (the `keras.ops` default)
    uses the tanh formula; False uses the exact normal CDF."""
    return Gelu(bool(approximate)).apply(as_float(x, "gelu"))


def softplus(x):
    """`log(1 + exp(x))`, stable for large |x|."""
    return Softplus().apply(as_float(x, "softplus"))


def softsign(x):
    """`x / (1 + |x|)`."""
    return Softsign().apply(as_float(x, "softsign"))


def silu(x):
    """`x * sigmoid(x)`, also called swish."""
    return Silu().apply(as_float(x, "silu"))


swish = silu


def hard_sigmoid(x):
    """Piecewise-linear sigmoid `clip(x / 6 + 0.5, 0, 1)` (Keras 3 definition)."""
    return HardSigmoid().apply(as_float(x, "hard_sigmoid"))


def softmax(x, axis: int = -1):
    """Softmax along `axis` (shifted by the max, so large logits are safe).

    Example:
        >>> import baro
        >>> baro.nn.softmax([[1.0, 1.0]]).numpy()
        array([[0.5, 0.5]], dtype=float32)
    """
    x = as_float(x, "softmax")
    (axis,) = normalize_axis(axis, x.ndim, "softmax")
    return Softmax(axis).apply(x)


def log_softmax(x, axis: int = -1):
    """`log(softmax(x))`, computed without forming softmax (stable)."""
    x = as_float(x, "log_softmax")
    (axis,) = normalize_axis(axis, x.ndim, "log_softmax")
    return LogSoftmax(axis).apply(x)
