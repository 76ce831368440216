"""RMSprop (plain, centered, with momentum) against the Keras 3 equations,
Keras's goldens and torch.optim.RMSprop.

torch adds eps outside the square root (sqrt(v) + eps), Keras inside
(sqrt(v + epsilon)); with epsilon ~ 0 (1e-45, as Keras requires epsilon > 0)
they are the same algorithm.
"""

import numpy as np
import pytest

import baro
from baro.optimizers import RMSprop


def reference_rmsprop(weights, grad_steps, lr, rho=0.9, momentum=0.0,
                      epsilon=1e-7, centered=False):
    """Keras 3 RMSprop in float64."""
    w = [x.astype("float64") for x in weights]
    v = [np.zeros_like(x) for x in w]
    a = [np.zeros_like(x) for x in w]
    b = [np.zeros_like(x) for x in w]
    trajectory = []
    for grads in grad_steps:
        for i, g in enumerate(grads):
            v[i] = rho * v[i] + (1 - rho) * g * g
            if centered:
                a[i] = rho * a[i] + (1 - rho) * g
                denominator = v[i] - a[i] ** 2 + epsilon
            else:
                denominator = v[i] + epsilon
            increment = lr * g / np.sqrt(denominator)
            if momentum > 0:
                b[i] = momentum * b[i] + increment
                w[i] = w[i] - b[i]
            else:
                w[i] = w[i] - increment
        trajectory.append([x.copy() for x in w])
    return trajectory


CASES = [(0.0, False), (0.9, False), (0.0, True), (0.5, True)]


@pytest.mark.parametrize("momentum, centered", CASES)
def test_steps_match_the_keras_equations(problem, drivers, momentum, centered):
    weights, grads = problem
    opt = RMSprop(learning_rate=0.01, rho=0.8, momentum=momentum, epsilon=1e-3,
                  centered=centered)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = reference_rmsprop(weights, grads, 0.01, 0.8, momentum, 1e-3, centered)
    drivers.assert_trajectory(actual, expected)


def test_hand_computed_first_step():
    # g = w = 10: v = 0.1 * 100, w = 10 - 0.1 * 10 / sqrt(10) (Keras's docstring).
    w = baro.Variable([10.0])
    RMSprop(learning_rate=0.1).apply([baro.constant([10.0])], [w])
    assert float(w) == pytest.approx(10 - 1 / np.sqrt(10), rel=1e-6)


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's rmsprop_test.py (centered=True).
    np.testing.assert_allclose(drivers.keras_single_step(RMSprop(learning_rate=0.5)),
                               [-0.5811, 0.4189, 1.4189, 2.4189], rtol=1e-4,
                               atol=1e-4)
    golden = np.tile([[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]], (1, 10))
    np.testing.assert_allclose(drivers.keras_golden_run(RMSprop(centered=True)),
                               golden, rtol=5e-4, atol=5e-4)
    assert drivers.keras_weight_decay_run(RMSprop) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


@pytest.mark.parametrize("momentum, centered", CASES)
def test_matches_torch_rmsprop_with_zero_epsilon(problem, drivers, torch_run,
                                                 momentum, centered):
    weights, grads = problem
    opt = RMSprop(0.01, rho=0.9, momentum=momentum, epsilon=1e-45,
                  centered=centered)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = torch_run("RMSprop", weights, grads, lr=0.01, alpha=0.9, eps=0.0,
                         momentum=momentum, centered=centered)
    drivers.assert_trajectory(actual, expected)


def test_slots_follow_the_options():
    w = baro.Variable([1.0], name="w")
    names = {}
    for momentum, centered in CASES:
        opt = RMSprop(momentum=momentum, centered=centered)
        opt.build([w])
        names[(momentum, centered)] = [v.name for v in opt.variables[2:]]
    assert names == {(0.0, False): ["w_velocity"],
                     (0.9, False): ["w_velocity", "w_momentum"],
                     (0.0, True): ["w_velocity", "w_average_gradient"],
                     (0.5, True): ["w_velocity", "w_momentum", "w_average_gradient"]}


def test_defaults_follow_keras():
    config = RMSprop().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert {k: config[k] for k in ("rho", "momentum", "epsilon", "centered",
                                   "name")} == {
        "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False,
        "name": "rmsprop"}


@pytest.mark.parametrize("kwargs, message", [
    ({"rho": 1.1}, r"RMSprop: argument `rho` must be in the range \[0.0, 1.0\]"),
    ({"momentum": -0.1}, r"`momentum` must be in the range \[0.0, 1.0\]"),
    ({"epsilon": 0.0}, r"`epsilon` must be in the range \(0.0, inf\). Received: "
                       r"epsilon=0.0"),
])
def test_bad_hyperparameters_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RMSprop(**kwargs)
    RMSprop(rho=0.0, momentum=1.0, epsilon=1e-12)  # Keras's accepted boundaries
