"""AdamW: decoupled weight decay then an Adam step; Keras goldens, torch.AdamW."""

import math

import numpy as np
import pytest

import baro
from baro.optimizers import Adam, AdamW


def reference_adamw(weights, grad_steps, lr, weight_decay, beta_1=0.9, beta_2=0.999,
                    epsilon=1e-7):
    """Keras 3 AdamW in float64: w <- w - w wd lr, then the Adam step."""
    w = [x.astype("float64") for x in weights]
    m = [np.zeros_like(x) for x in w]
    v = [np.zeros_like(x) for x in w]
    trajectory = []
    for t, grads in enumerate(grad_steps, start=1):
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for i, g in enumerate(grads):
            w[i] = w[i] - w[i] * weight_decay * lr
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g * g
            w[i] = w[i] - alpha * m[i] / (np.sqrt(v[i]) + epsilon)
        trajectory.append([x.copy() for x in w])
    return trajectory


def test_steps_match_the_keras_equations(problem, drivers):
    weights, grads = problem
    opt = AdamW(learning_rate=0.05, weight_decay=0.3, epsilon=1e-4)
    actual = drivers.run_trajectory(opt, weights, grads)
    drivers.assert_trajectory(actual, reference_adamw(weights, grads, 0.05, 0.3,
                                                      epsilon=1e-4))


def test_is_adam_with_the_base_weight_decay(problem, drivers):
    weights, grads = problem
    adamw = drivers.run_trajectory(AdamW(0.01, weight_decay=0.1), weights, grads)
    adam = drivers.run_trajectory(Adam(0.01, weight_decay=0.1), weights, grads)
    drivers.assert_trajectory(adamw, adam, rtol=0, atol=0)


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's adamw_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(AdamW(learning_rate=0.5)),
                               [0.4980, 1.4960, 2.494, 3.492], rtol=1e-4, atol=1e-4)
    golden = np.array([
        [0.4998] * 10,
        [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394,
         0.2382],
        [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027,
         0.1003],
        [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294,
         0.0258],
        [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113,
         -0.0159]])
    opt = AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2)
    np.testing.assert_allclose(drivers.keras_golden_run(opt), golden, rtol=5e-4,
                               atol=5e-4)
    assert drivers.keras_weight_decay_run(AdamW) == pytest.approx(
        (1.9760959, 2.0, 2.0), abs=1e-6)


def test_matches_torch_adamw_with_zero_epsilon(problem, drivers, torch_run):
    weights, grads = problem
    opt = AdamW(learning_rate=0.01, weight_decay=0.2, epsilon=0.0)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = torch_run("AdamW", weights, grads, lr=0.01, weight_decay=0.2, eps=0.0)
    drivers.assert_trajectory(actual, expected)


def test_defaults_follow_keras():
    config = AdamW().get_config()
    assert config["weight_decay"] == 0.004 and config["name"] == "adamw"
    assert (config["beta_1"], config["beta_2"], config["epsilon"]) == (0.9, 0.999,
                                                                       1e-7)


def test_weight_decay_none_is_rejected():
    with pytest.raises(ValueError, match="AdamW: argument `weight_decay` must be a "
                                         "float. Received: weight_decay=None"):
        AdamW(weight_decay=None)
    with pytest.raises(ValueError, match=r"`weight_decay` must be in the range"):
        AdamW(weight_decay=-0.1)


def test_excluded_variables_are_not_decayed():
    kernel, bias = baro.Variable([1.0], name="dense/kernel"), baro.Variable(
        [1.0], name="dense/bias")
    opt = AdamW(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.zeros(1, "float32")] * 2, [kernel, bias])
    assert (float(kernel), float(bias)) == pytest.approx((0.95, 1.0))
