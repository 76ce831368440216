"""Test helpers for baro's own tests and for users writing ops or layers."""

from baro.testing.assertions import assert_allclose
from baro.testing.gradcheck import gradcheck

__all__ = ["assert_allclose", "gradcheck"]
