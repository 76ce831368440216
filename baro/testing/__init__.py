"""Test helpers for baro's own tests and for users writing ops or layers."""

from baro.testing.assertions import assert_allclose
from baro.testing.gradcheck import analytic_grad, gradcheck

__all__ = ["analytic_grad", "assert_allclose", "gradcheck"]
