"""Nadam against the Keras 3 equations, Keras's goldens and torch.optim.NAdam.

torch's NAdam uses the momentum schedule beta_1 (1 - 0.5 * 0.96^(psi t)) with
psi = momentum_decay = 0.004 by default; Keras uses 0.96^t, i.e. psi = 1. With
momentum_decay=1.0 torch runs Keras's algorithm (epsilon enters the same way).
"""

import numpy as np
import pytest

import baro
from baro.optimizers import Nadam


def reference_nadam(weights, grad_steps, lr, beta_1=0.9, beta_2=0.999,
                    epsilon=1e-7):
    """Keras 3 Nadam in float64."""
    w = [x.astype("float64") for x in weights]
    m = [np.zeros_like(x) for x in w]
    v = [np.zeros_like(x) for x in w]
    product = 1.0
    trajectory = []
    for t, grads in enumerate(grad_steps, start=1):
        u_t = beta_1 * (1 - 0.5 * 0.96**t)
        u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= u_t
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g * g
            m_hat = u_next * m[i] / (1 - product * u_next) + (1 - u_t) * g / (
                1 - product)
            v_hat = v[i] / (1 - beta_2**t)
            w[i] = w[i] - lr * m_hat / (np.sqrt(v_hat) + epsilon)
        trajectory.append([x.copy() for x in w])
    return trajectory


def test_steps_match_the_keras_equations(problem, drivers):
    weights, grads = problem
    opt = Nadam(learning_rate=0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-3)
    actual = drivers.run_trajectory(opt, weights, grads)
    drivers.assert_trajectory(actual, reference_nadam(weights, grads, 0.02, 0.8, 0.95,
                                                      1e-3))


def test_momentum_product_advances_once_per_step_not_per_variable(problem):
    weights, grads = problem
    opt = Nadam()
    variables = [baro.Variable(w) for w in weights]
    for step_grads in grads[:3]:
        opt.apply(step_grads, variables)
    expected = np.prod([0.9 * (1 - 0.5 * 0.96**t) for t in (1, 2, 3)])
    assert float(opt._u_product) == pytest.approx(expected, rel=1e-6)
    assert opt.variables[-1] is opt._u_product


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's nadam_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(Nadam(learning_rate=0.5)),
                               [0.4686, 1.4686, 2.4686, 3.4686], rtol=1e-4,
                               atol=1e-4)
    golden = np.array([
        [0.4281] * 10,
        [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718,
         -0.1718, -0.1717],
        [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085,
         -0.7085, -0.7084],
        [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301,
         -1.23, -1.2299],
        [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456,
         -1.7455, -1.7454]])
    opt = Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5)
    np.testing.assert_allclose(drivers.keras_golden_run(opt), golden, rtol=5e-4,
                               atol=5e-4)
    assert drivers.keras_weight_decay_run(Nadam) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


def test_matches_torch_nadam_with_keras_momentum_schedule(problem, drivers,
                                                          torch_run):
    weights, grads = problem
    actual = drivers.run_trajectory(Nadam(0.01, epsilon=1e-6), weights, grads)
    expected = torch_run("NAdam", weights, grads, lr=0.01, eps=1e-6,
                         momentum_decay=1.0)
    drivers.assert_trajectory(actual, expected)


def test_defaults_follow_keras():
    config = Nadam().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert (config["beta_1"], config["beta_2"], config["epsilon"],
            config["name"]) == (0.9, 0.999, 1e-7, "nadam")


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match=r"Nadam: argument `beta_1` must be in the "
                                         r"range \[0.0, 1.0\). Received: beta_1=1.2"):
        Nadam(beta_1=1.2)
