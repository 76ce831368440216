"""gradcheck must fail on a wrong backward, in both of its modes."""

import numpy as np
import pytest

from baro.core import Function
from baro.testing import assert_allclose, gradcheck


class WrongSquare(Function):
    """y = x**2 with a deliberately wrong gradient (x instead of 2x)."""

    def forward(self, x):
        self.saved = (x,)
        return x * x

    def backward(self, g):
        return g * self.saved[0]


class Downcast(Function):
    def forward(self, x):
        return x.astype(np.float32)

    def backward(self, g):
        return g


def test_gradcheck_catches_wrong_gradient_full_jacobian():
    with pytest.raises(AssertionError, match="full Jacobian"):
        gradcheck(lambda x: WrongSquare().apply(x), np.array([1.0, 2.0]))


def test_gradcheck_catches_wrong_gradient_random_direction():
    with pytest.raises(AssertionError, match="random direction"):
        gradcheck(lambda x: WrongSquare().apply(x), np.ones((30, 30)))


def test_gradcheck_rejects_ops_that_lose_float64():
    with pytest.raises(AssertionError, match="float64"):
        gradcheck(lambda x: Downcast().apply(x), np.ones(2))


def test_gradcheck_needs_a_float_input():
    with pytest.raises(ValueError, match="floating-point"):
        gradcheck(lambda i: i, np.array([1, 2]))


def test_assert_allclose_reports_shapes():
    with pytest.raises(AssertionError, match=r"\(2,\).*\(3,\)"):
        assert_allclose(np.ones(2), np.ones(3))
