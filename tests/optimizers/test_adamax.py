"""Adamax against the Keras 3 equations, Keras's goldens and torch.optim.Adamax.

torch puts eps inside the max (max(beta_2 u, |g| + eps)); Keras adds epsilon
to u afterwards, so the parity test uses epsilon = 0.
"""

import numpy as np
import pytest

import baro
from baro.optimizers import Adamax


def reference_adamax(weights, grad_steps, lr, beta_1=0.9, beta_2=0.999,
                     epsilon=1e-7):
    """Keras 3 Adamax in float64."""
    w = [x.astype("float64") for x in weights]
    m = [np.zeros_like(x) for x in w]
    u = [np.zeros_like(x) for x in w]
    trajectory = []
    for t, grads in enumerate(grad_steps, start=1):
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            u[i] = np.maximum(beta_2 * u[i], np.abs(g))
            w[i] = w[i] - lr * m[i] / ((1 - beta_1**t) * (u[i] + epsilon))
        trajectory.append([x.copy() for x in w])
    return trajectory


def test_steps_match_the_keras_equations(problem, drivers):
    weights, grads = problem
    opt = Adamax(learning_rate=0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-3)
    actual = drivers.run_trajectory(opt, weights, grads)
    drivers.assert_trajectory(actual, reference_adamax(weights, grads, 0.02, 0.8,
                                                       0.95, 1e-3))


def test_norm_slot_is_a_decayed_running_max():
    w = baro.Variable([0.0])
    opt = Adamax(beta_2=0.5)
    for g in (4.0, 1.0, 3.0):
        opt.apply([np.array([g], "float32")], [w])
    # max(0.5 * 4, 1) = 2, then max(0.5 * 2, 3) = 3
    assert float(opt._u[0]) == 3.0


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's adamax_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(Adamax(learning_rate=0.5)),
                               [0.5, 1.5, 2.5, 3.5], rtol=1e-4, atol=1e-4)
    golden = np.array([
        [0.8] * 10,
        [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909,
         0.691],
        [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464,
         0.5466],
        [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
        [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124,
         0.2126]])
    opt = Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6)
    np.testing.assert_allclose(drivers.keras_golden_run(opt), golden, rtol=5e-4,
                               atol=5e-4)
    assert drivers.keras_weight_decay_run(Adamax) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


def test_matches_torch_adamax_with_zero_epsilon(problem, drivers, torch_run):
    weights, grads = problem
    actual = drivers.run_trajectory(Adamax(0.01, epsilon=0.0), weights, grads)
    expected = torch_run("Adamax", weights, grads, lr=0.01, eps=0.0)
    drivers.assert_trajectory(actual, expected)


def test_defaults_follow_keras():
    config = Adamax().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert (config["beta_1"], config["beta_2"], config["epsilon"],
            config["name"]) == (0.9, 0.999, 1e-7, "adamax")


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match=r"Adamax: argument `beta_2` must be in the "
                                         r"range \[0.0, 1.0\). Received: beta_2=1.0"):
        Adamax(beta_2=1.0)
    with pytest.raises(ValueError, match="epsilon"):
        Adamax(epsilon=-1.0)
