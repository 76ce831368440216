"""SGD against the Keras 3 equations (NumPy), hand-computed steps, Keras's goldens
and torch.optim.SGD (the same algorithm with the learning rate outside the buffer).
"""

import numpy as np
import pytest

import baro
from baro.optimizers import SGD


def reference_sgd(weights, grad_steps, lr, momentum=0.0, nesterov=False):
    """Keras 3 SGD in float64: m <- momentum m - lr g; w <- w + m (or Nesterov)."""
    w = [x.astype("float64") for x in weights]
    m = [np.zeros_like(x) for x in w]
    trajectory = []
    for grads in grad_steps:
        for i, g in enumerate(grads):
            if momentum == 0:
                w[i] = w[i] - lr * g
                continue
            m[i] = momentum * m[i] - lr * g
            w[i] = w[i] + (momentum * m[i] - lr * g if nesterov else m[i])
        trajectory.append([x.copy() for x in w])
    return trajectory


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False),
                                                (0.9, True), (0.5, True)])
def test_steps_match_the_keras_equations(problem, drivers, momentum, nesterov):
    weights, grads = problem
    opt = SGD(learning_rate=0.1, momentum=momentum, nesterov=nesterov)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = reference_sgd(weights, grads, 0.1, momentum, nesterov)
    drivers.assert_trajectory(actual, expected)


def test_hand_computed_momentum_and_nesterov_steps():
    # lr 0.5, momentum 0.9, g = 1 twice. Plain: m = -0.5, -0.95; w = 0.5, -0.45.
    # Nesterov: w = 1 + 0.9 * -0.5 - 0.5 = 0.05, then 0.05 + 0.9 * -0.95 - 0.5.
    for nesterov, expected in [(False, [0.5, -0.45]), (True, [0.05, -1.305])]:
        w = baro.Variable([1.0])
        opt = SGD(learning_rate=0.5, momentum=0.9, nesterov=nesterov)
        seen = []
        for _ in range(2):
            opt.apply([np.ones(1, "float32")], [w])
            seen.append(float(w))
        np.testing.assert_allclose(seen, expected, rtol=1e-6)


def test_keras_single_step_and_golden_values(drivers):
    # Golden values from Keras 3's sgd_test.py.
    np.testing.assert_allclose(drivers.keras_single_step(SGD(learning_rate=0.5)),
                               [0.5, -1.0, -0.5, 3.0], rtol=1e-4, atol=1e-4)
    golden = np.array([[0.9999] * 10,
                       0.9999 - 0.01 * np.arange(0.1, 1.1, 0.1),
                       0.9999 - 0.02 * np.arange(0.1, 1.1, 0.1),
                       0.9999 - 0.03 * np.arange(0.1, 1.1, 0.1),
                       0.9999 - 0.04 * np.arange(0.1, 1.1, 0.1)])
    np.testing.assert_allclose(drivers.keras_golden_run(SGD(nesterov=True)), golden,
                               rtol=5e-4, atol=5e-4)


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False),
                                                (0.9, True)])
def test_matches_torch_sgd(problem, drivers, torch_run, momentum, nesterov):
    weights, grads = problem
    opt = SGD(learning_rate=0.05, momentum=momentum, nesterov=nesterov)
    actual = drivers.run_trajectory(opt, weights, grads)
    expected = torch_run("SGD", weights, grads, lr=0.05, momentum=momentum,
                         nesterov=nesterov)
    drivers.assert_trajectory(actual, expected)


def test_defaults_and_slots_follow_keras():
    opt = SGD()
    config = opt.get_config()
    assert config["learning_rate"] == pytest.approx(0.01)
    assert (config["momentum"], config["nesterov"], config["name"]) == (0.0, False,
                                                                        "SGD")
    w = baro.Variable([1.0, 2.0], name="kernel")
    opt.build([w])
    assert len(opt.variables) == 2  # iterations and learning rate: no slot
    opt = SGD(momentum=0.5)
    opt.build([w])
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate",
                                               "kernel_momentum"]


def test_bad_momentum_is_rejected_with_the_range():
    with pytest.raises(ValueError, match=r"SGD: argument `momentum` must be in the "
                                         r"range \[0.0, 1.0\]. Received: momentum=1.5"):
        SGD(momentum=1.5)
    with pytest.raises(TypeError, match="momentum"):
        SGD(momentum="0.9")
