"""Lion against the Keras 3 equations and Keras's goldens (torch has no Lion)."""

import numpy as np
import pytest

import baro
from baro.optimizers import Lion


def reference_lion(weights, grad_steps, lr, beta_1=0.9, beta_2=0.99):
    """Keras 3 Lion in float64."""
    w = [x.astype("float64") for x in weights]
    m = [np.zeros_like(x) for x in w]
    trajectory = []
    for grads in grad_steps:
        for i, g in enumerate(grads):
            w[i] = w[i] - lr * np.sign(beta_1 * m[i] + (1 - beta_1) * g)
            m[i] = beta_2 * m[i] + (1 - beta_2) * g
        trajectory.append([x.copy() for x in w])
    return trajectory


def test_steps_match_the_keras_equations(problem, drivers):
    weights, grads = problem
    opt = Lion(learning_rate=0.01, beta_1=0.7, beta_2=0.9)
    actual = drivers.run_trajectory(opt, weights, grads)
    drivers.assert_trajectory(actual, reference_lion(weights, grads, 0.01, 0.7, 0.9))


def test_update_direction_interpolates_momentum_and_gradient():
    # After g = +1 (m = 0.01 with beta_2 = 0.99), a gradient of -0.05 gives
    # 0.9 * 0.01 + 0.1 * -0.05 = +0.004: the momentum still wins the sign.
    w = baro.Variable([0.0])
    opt = Lion(learning_rate=1.0)
    opt.apply([np.array([1.0], "float32")], [w])
    opt.apply([np.array([-0.05], "float32")], [w])
    assert float(w) == -2.0
    assert float(opt._momentums[0]) == pytest.approx(0.99 * 0.01 + 0.01 * -0.05)


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's lion_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(Lion(learning_rate=0.5)),
                               [0.5, 1.5, 2.5, 3.5], rtol=1e-4, atol=1e-4)
    golden = np.tile([[0.999], [0.998], [0.997], [0.996], [0.995]], (1, 10))
    np.testing.assert_allclose(drivers.keras_golden_run(Lion()), golden, rtol=5e-4,
                               atol=5e-4)
    assert drivers.keras_weight_decay_run(Lion) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


def test_defaults_follow_keras():
    config = Lion().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert (config["beta_1"], config["beta_2"], config["name"]) == (0.9, 0.99,
                                                                    "lion")


@pytest.mark.parametrize("beta_1", [-0.1, 0.0, 1.1])
def test_bad_beta_1_is_rejected_as_in_keras(beta_1):
    with pytest.raises(ValueError, match=r"Lion: argument `beta_1` must be in the "
                                         r"range \(0.0, 1.0\]. Received: "
                                         rf"beta_1={beta_1}. Otherwise, the optimizer "
                                         "degenerates to SignSGD."):
        Lion(beta_1=beta_1)
    Lion(beta_1=1.0)
