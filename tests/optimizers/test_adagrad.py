"""Adagrad against the Keras 3 equations, Keras's goldens and torch.optim.Adagrad.

torch adds eps outside the square root (sqrt(a) + eps), Keras inside
(sqrt(a + epsilon)); with epsilon = 0 they are the same algorithm.
"""

import numpy as np
import pytest

import baro
from baro.optimizers import Adagrad


def reference_adagrad(weights, grad_steps, lr, initial_accumulator_value=0.1,
                      epsilon=1e-7):
    """Keras 3 Adagrad in float64."""
    w = [x.astype("float64") for x in weights]
    a = [np.full_like(x, initial_accumulator_value) for x in w]
    trajectory = []
    for grads in grad_steps:
        for i, g in enumerate(grads):
            a[i] = a[i] + g * g
            w[i] = w[i] - lr * g / np.sqrt(a[i] + epsilon)
        trajectory.append([x.copy() for x in w])
    return trajectory


def test_steps_match_the_keras_equations(problem, drivers):
    weights, grads = problem
    opt = Adagrad(learning_rate=0.1, initial_accumulator_value=0.5, epsilon=1e-3)
    actual = drivers.run_trajectory(opt, weights, grads)
    drivers.assert_trajectory(actual, reference_adagrad(weights, grads, 0.1, 0.5,
                                                        1e-3))


def test_accumulator_starts_at_initial_value():
    w = baro.Variable(np.zeros((2, 2), "float32"), name="k")
    opt = Adagrad(initial_accumulator_value=0.25)
    opt.build([w])
    np.testing.assert_array_equal(opt.variables[2].numpy(), np.full((2, 2), 0.25))
    assert opt.variables[2].name == "k_accumulator"


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's adagrad_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(Adagrad(learning_rate=0.5)),
                               [0.5233, 1.5007, 2.5005, 3.5061], rtol=1e-4,
                               atol=1e-4)
    golden = np.array([
        [0.9963] * 10,
        [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255,
         0.8209],
        [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956,
         0.6891],
        [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867,
         0.579],
        [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491,
         0.4825]])
    opt = Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6)
    np.testing.assert_allclose(drivers.keras_golden_run(opt), golden, rtol=5e-4,
                               atol=5e-4)
    assert drivers.keras_weight_decay_run(Adagrad) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


def test_matches_torch_adagrad_with_zero_epsilon(problem, drivers, torch_run):
    weights, grads = problem
    opt = Adagrad(0.05, initial_accumulator_value=0.1, epsilon=0.0)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = torch_run("Adagrad", weights, grads, lr=0.05,
                         initial_accumulator_value=0.1, eps=0.0)
    drivers.assert_trajectory(actual, expected)


def test_defaults_follow_keras():
    config = Adagrad().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert (config["initial_accumulator_value"], config["epsilon"],
            config["name"]) == (0.1, 1e-7, "adagrad")


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match=r"Adagrad: argument "
                                         r"`initial_accumulator_value` must be in the "
                                         r"range \[0.0, inf\)"):
        Adagrad(initial_accumulator_value=-0.1)
