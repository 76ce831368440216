"""Adam (and AMSGrad) against the Keras 3 equations, Keras's goldens and torch.

torch.optim.Adam adds eps to sqrt(v / (1 - beta_2^t)) where Keras adds epsilon
to sqrt(v) with the bias correction folded into the step size; with epsilon = 0
the two are the same algorithm, so the parity test uses epsilon = 0.
"""

import math

import numpy as np
import pytest

import baro
from baro.optimizers import Adam


def reference_adam(weights, grad_steps, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                   amsgrad=False):
    """Keras 3 Adam in float64."""
    w = [x.astype("float64") for x in weights]
    m = [np.zeros_like(x) for x in w]
    v = [np.zeros_like(x) for x in w]
    v_hat = [np.zeros_like(x) for x in w]
    trajectory = []
    for t, grads in enumerate(grad_steps, start=1):
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g * g
            v_hat[i] = np.maximum(v_hat[i], v[i])
            denominator = np.sqrt(v_hat[i] if amsgrad else v[i]) + epsilon
            w[i] = w[i] - alpha * m[i] / denominator
        trajectory.append([x.copy() for x in w])
    return trajectory


@pytest.mark.parametrize("amsgrad", [False, True])
def test_steps_match_the_keras_equations(problem, drivers, amsgrad):
    weights, grads = problem
    opt = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.9, epsilon=1e-3,
               amsgrad=amsgrad)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = reference_adam(weights, grads, 0.01, 0.8, 0.9, 1e-3, amsgrad)
    drivers.assert_trajectory(actual, expected)


def test_amsgrad_keeps_the_largest_second_moment():
    # A large gradient then small ones: v decays, v_hat keeps its maximum, so
    # AMSGrad's later steps are smaller than Adam's.
    steps = [np.array([10.0], "float32")] + [np.array([0.1], "float32")] * 3
    moved = {}
    for amsgrad in (False, True):
        w = baro.Variable([0.0])
        opt = Adam(learning_rate=0.1, amsgrad=amsgrad)
        for g in steps:
            opt.apply([g], [w])
        moved[amsgrad] = float(w)
        if amsgrad:
            v, v_hat = opt._velocities[0].numpy(), opt._velocity_hats[0].numpy()
            assert v_hat[0] == pytest.approx(0.1, rel=1e-5) and v[0] < v_hat[0]
    assert abs(moved[True]) < abs(moved[False])


def test_first_step_moves_every_weight_by_the_learning_rate():
    # m = (1 - b1) g and v = (1 - b2) g^2, so alpha m / sqrt(v) = lr sign(g).
    w = baro.Variable([1.0, 2.0, 3.0])
    Adam(learning_rate=0.25, epsilon=0.0).apply([baro.constant([0.1, -7.0, 3.0])],
                                                [w])
    np.testing.assert_allclose(w.numpy(), [0.75, 2.25, 2.75], rtol=1e-6)


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's adam_test.py (amsgrad=True).
    np.testing.assert_allclose(drivers.keras_single_step(Adam(learning_rate=0.5)),
                               [0.5, 1.5, 2.5, 3.5], rtol=1e-4, atol=1e-4)
    golden = np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10))
    np.testing.assert_allclose(drivers.keras_golden_run(Adam(amsgrad=True)), golden,
                               rtol=5e-4, atol=5e-4)
    assert drivers.keras_weight_decay_run(Adam) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_matches_torch_adam_with_zero_epsilon(problem, drivers, torch_run, amsgrad):
    weights, grads = problem
    opt = Adam(learning_rate=0.01, epsilon=0.0, amsgrad=amsgrad)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = torch_run("Adam", weights, grads, lr=0.01, eps=0.0, amsgrad=amsgrad)
    drivers.assert_trajectory(actual, expected)


def test_defaults_follow_keras():
    config = Adam().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert {k: config[k] for k in ("beta_1", "beta_2", "epsilon", "amsgrad", "name",
                                   "weight_decay")} == {
        "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False,
        "name": "adam", "weight_decay": None}


@pytest.mark.parametrize("kwargs, message", [
    ({"beta_1": 1.0}, r"Adam: argument `beta_1` must be in the range \[0.0, 1.0\)"),
    ({"beta_2": -0.1}, r"`beta_2` must be in the range \[0.0, 1.0\). Received: "
                       r"beta_2=-0.1"),
    ({"epsilon": -1e-7}, r"`epsilon` must be in the range \[0.0, inf\)"),
    ({"learning_rate": -0.1}, r"`learning_rate` must be in the range"),
    ({"beta_1": float("nan")}, r"beta_1=nan"),
])
def test_bad_hyperparameters_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Adam(**kwargs)
