"""Test helpers for baro's own tests and for users writing ops or layers."""

from baro.testing.assertions import assert_allclose
from baro.testing.gradcheck import analytic_grad, gradcheck
from baro.testing.gradients import GradientCheckReport, check_gradients
from baro.testing.layer_test import check_layer_gradients, run_layer_test

__all__ = ["GradientCheckReport", "analytic_grad", "assert_allclose",
           "check_gradients", "check_layer_gradients", "gradcheck", "run_layer_test"]
