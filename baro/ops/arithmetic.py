"""Elementwise arithmetic with NumPy broadcasting: + - * / ** maximum minimum.

Backward rules return gradients in the broadcast output shape; the engine sums them
back to each input's shape (`baro.core.engine.unbroadcast`).
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.convert import as_float, as_tensor, binary_operands

_BROADCAST_HINT = (
    "Elementwise ops need equal or broadcastable shapes (NumPy rules: compare "
    "from the last axis; sizes must match or be 1)."
)


class Add(Function):
    """y = a + b;  da = g,  db = g."""

    hint = _BROADCAST_HINT

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class Subtract(Function):
    """y = a - b;  da = g,  db = -g."""

    hint = _BROADCAST_HINT

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.inputs[1].requires_grad else None)


class Multiply(Function):
    """y = a * b;  da = g * b,  db = g * a."""

    hint = _BROADCAST_HINT

    def forward(self, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, g):
        a, b = self.saved
        ga = g * b if self.inputs[0].requires_grad else None
        gb = g * a if self.inputs[1].requires_grad else None
        return ga, gb


class Divide(Function):
    """y = a / b;  da = g / b,  db = -g * y / b."""

    hint = _BROADCAST_HINT

    def forward(self, a, b):
        y = a / b
        self.saved = (b, y)
        return y

    def backward(self, g):
        b, y = self.saved
        ga = g / b
        gb = -ga * y if self.inputs[1].requires_grad else None
        return ga, gb


class Negative(Function):
    """y = -x;  dx = -g."""

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class PowerScalar(Function):
    """y = x ** p for a constant p;  dx = g * p * x ** (p - 1)."""

    domain_hint = "A negative base needs an integer exponent."

    def __init__(self, p: float) -> None:
        self.p = p

    def forward(self, x):
        p = self.p
        self.saved = (x,)
        if p == 2:
            return x * x
        with np.errstate(invalid="raise", divide="ignore"):
            return x**p

    def backward(self, g):
        (x,) = self.saved
        p = self.p
        if p == 2:
            return g * (2 * x)
        if p == 1:
            return g
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * (p * x ** (p - 1))


class Power(Function):
    """y = a ** b;  da = g * b * a ** (b - 1),  db = g * y * log(a) (a > 0)."""

    hint = _BROADCAST_HINT
    domain_hint = "A negative base needs an integer exponent."

    def forward(self, a, b):
        with np.errstate(invalid="raise", divide="ignore"):
            y = a**b
        self.saved = (a, b, y)
        return y

    def backward(self, g):
        a, b, y = self.saved
        xp = get_array_module(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g * b * a ** (b - 1) if self.inputs[0].requires_grad else None
            gb = None
            if self.inputs[1].requires_grad:
                # d/db a**b = a**b log a, taken as 0 where a <= 0 (no real log).
                safe = xp.where(a > 0, a, 1)
                gb = g * y * xp.log(safe)
        return ga, gb


class Maximum(Function):
    """y = max(a, b);  at ties the gradient is split evenly (0.5 each)."""

    hint = _BROADCAST_HINT

    def forward(self, a, b):
        self.saved = (a, b)
        return get_array_module(a).maximum(a, b)

    def backward(self, g):
        a, b = self.saved
        return _split_by_winner(g, a > b, a == b)


class Minimum(Function):
    """y = min(a, b);  at ties the gradient is split evenly (0.5 each)."""

    hint = _BROADCAST_HINT

    def forward(self, a, b):
        self.saved = (a, b)
        return get_array_module(a).minimum(a, b)

    def backward(self, g):
        a, b = self.saved
        return _split_by_winner(g, a < b, a == b)


def _split_by_winner(g, a_wins, tie):
    weight = a_wins + 0.5 * tie
    ga = g * weight.astype(g.dtype, copy=False)
    return ga, g - ga


def add(x1, x2):
    """Elementwise `x1 + x2` with broadcasting (`tf.add`, `keras.ops.add`).

    Example:
        >>> import baro
        >>> baro.add([1.0, 2.0], 1.0).numpy()
        array([2., 3.], dtype=float32)
    """
    a, b = binary_operands(x1, x2)
    return Add().apply(a, b)


def subtract(x1, x2):
    """Elementwise `x1 - x2` with broadcasting."""
    a, b = binary_operands(x1, x2)
    return Subtract().apply(a, b)


def multiply(x1, x2):
    """Elementwise `x1 * x2` with broadcasting."""
    a, b = binary_operands(x1, x2)
    return Multiply().apply(a, b)


def divide(x1, x2):
    """Elementwise true division `x1 / x2`; integer inputs give floats.

    Example:
        >>> import baro
        >>> baro.divide([1, 3], 2).numpy()
        array([0.5, 1.5], dtype=float32)
    """
    a, b = binary_operands(x1, x2)
    if a.data.dtype.kind != "f":
        a = as_float(a)
        b = as_float(b)
    return Divide().apply(a, b)


def negative(x):
    """Elementwise `-x`."""
    return Negative().apply(as_tensor(x))


def power(x1, x2):
    """Elementwise `x1 ** x2`.

    Raises:
        ValueError: If a negative base meets a non-integer exponent (NaN).

    Example:
        >>> import baro
        >>> baro.pow([2.0, 3.0], 2).numpy()
        array([4., 9.], dtype=float32)
    """
    if isinstance(x2, (int, float)) and not isinstance(x2, bool):
        base, _ = binary_operands(x1, x2)
        if base.data.dtype.kind == "f" or (isinstance(x2, int) and x2 >= 0):
            return PowerScalar(x2).apply(base)
    a, b = binary_operands(x1, x2)
    return Power().apply(a, b)


def square(x):
    """Elementwise `x * x` (`tf.square`); keeps the input's dtype."""
    return PowerScalar(2).apply(as_tensor(x))


def maximum(x1, x2):
    """Elementwise maximum; gradient split evenly at ties."""
    a, b = binary_operands(x1, x2)
    return Maximum().apply(a, b)


def minimum(x1, x2):
    """Elementwise minimum; gradient split evenly at ties."""
    a, b = binary_operands(x1, x2)
    return Minimum().apply(a, b)
