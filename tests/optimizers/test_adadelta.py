"""Adadelta against the Keras 3 equations, Keras's goldens and torch.optim.Adadelta
(the same algorithm, epsilon included)."""

import numpy as np
import pytest

from baro.optimizers import Adadelta


def reference_adadelta(weights, grad_steps, lr, rho=0.95, epsilon=1e-7):
    """Keras 3 Adadelta in float64."""
    w = [x.astype("float64") for x in weights]
    grad_sq = [np.zeros_like(x) for x in w]
    delta_sq = [np.zeros_like(x) for x in w]
    trajectory = []
    for grads in grad_steps:
        for i, g in enumerate(grads):
            grad_sq[i] = rho * grad_sq[i] + (1 - rho) * g * g
            delta = -np.sqrt(delta_sq[i] + epsilon) / np.sqrt(grad_sq[i] + epsilon) * g
            delta_sq[i] = rho * delta_sq[i] + (1 - rho) * delta * delta
            w[i] = w[i] + lr * delta
        trajectory.append([x.copy() for x in w])
    return trajectory


def test_steps_match_the_keras_equations(problem, drivers):
    weights, grads = problem
    opt = Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-3)
    actual = drivers.run_trajectory(opt, weights, grads)
    drivers.assert_trajectory(actual, reference_adadelta(weights, grads, 1.0, 0.8,
                                                         1e-3))


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's adadelta_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(Adadelta(learning_rate=0.5)),
                               [0.9993, 1.9993, 2.9993, 3.9993], rtol=1e-4,
                               atol=1e-4)
    golden = np.tile([[0.9978], [0.9947], [0.9915], [0.9882], [0.9849]], (1, 10))
    opt = Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6)
    np.testing.assert_allclose(drivers.keras_golden_run(opt), golden, rtol=5e-4,
                               atol=5e-4)
    assert drivers.keras_weight_decay_run(Adadelta) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


def test_matches_torch_adadelta(problem, drivers, torch_run):
    weights, grads = problem
    opt = Adadelta(learning_rate=0.5, rho=0.9, epsilon=1e-6)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = torch_run("Adadelta", weights, grads, lr=0.5, rho=0.9, eps=1e-6)
    drivers.assert_trajectory(actual, expected)


def test_defaults_follow_keras():
    config = Adadelta().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert (config["rho"], config["epsilon"], config["name"]) == (0.95, 1e-7,
                                                                  "adadelta")


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match=r"Adadelta: argument `rho` must be in the "
                                         r"range \[0.0, 1.0\). Received: rho=1.0"):
        Adadelta(rho=1.0)
