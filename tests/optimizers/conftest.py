"""Shared drivers for optimizer tests: seeded problems, trajectories, Keras goldens.

Each optimizer's test file writes its own NumPy reference of the Keras 3 update
equations (float64) and compares baro's float32 trajectory against it with these
drivers. The "Keras golden" protocol reproduces the one in Keras 3's own tests
(keras/src/optimizers/*_test.py, `test_correctness_with_golden`): x = ones(10),
one step with gradients 0.01, then steps with gradients 0.1, 0.2, ..., 1.0.
"""

from types import SimpleNamespace

import numpy as np
import pytest

import baro

SHAPES = [(3, 4), (5,), ()]


@pytest.fixture
def problem(rng):
    """Initial float32 weights for SHAPES and 5 steps of seeded gradients."""
    weights = [rng.standard_normal(s).astype("float32") for s in SHAPES]
    grads = [[rng.standard_normal(s).astype("float32") for s in SHAPES]
             for _ in range(5)]
    return weights, grads


def run_trajectory(optimizer, weights, grad_steps):
    """Applies each step's gradients; returns the weights after every step."""
    variables = [baro.Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    trajectory = []
    for grads in grad_steps:
        optimizer.apply(grads, variables)
        trajectory.append([v.numpy().copy() for v in variables])
    return trajectory


def assert_trajectory(actual, expected, rtol=1e-5, atol=1e-6):
    for step, (got, want) in enumerate(zip(actual, expected, strict=True)):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert g.dtype == np.float32, f"step {step}, variable {i}: {g.dtype}"
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol,
                                       err_msg=f"step {step}, variable {i}")


def keras_golden_run(optimizer):
    """x after the first step and after each of 4 more (Keras's golden protocol)."""
    x = baro.Variable(np.ones(10, "float32"))
    grads = np.arange(0.1, 1.1, 0.1).astype("float32")
    optimizer.apply_gradients([(np.full(10, 0.01, "float32"), x)])
    out = [x.numpy().copy()]
    for _ in range(4):
        optimizer.apply_gradients(zip([grads], [x], strict=True))
        out.append(x.numpy().copy())
    return np.array(out)


def keras_single_step(optimizer):
    """The single step of Keras's `test_single_step` (lr 0.5 in those tests)."""
    x = baro.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer.apply_gradients([(baro.constant([1.0, 6.0, 7.0, 2.0]), x)])
    return x.numpy()


def keras_weight_decay_run(cls):
    """Keras's `test_weight_decay`: three optimizers, zero gradients, exclusions."""
    zero = baro.constant(0.0)
    var1, var2, var3 = (baro.Variable(2.0), baro.Variable(2.0, name="exclude"),
                        baro.Variable(2.0))
    cls(learning_rate=1.0, weight_decay=0.004).apply_gradients([(zero, var1)])
    opt2 = cls(learning_rate=1.0, weight_decay=0.004)
    opt2.exclude_from_weight_decay(var_names=["exclude"])
    opt2.apply_gradients([(zero, var1), (zero, var2)])
    opt3 = cls(learning_rate=1.0, weight_decay=0.004)
    opt3.exclude_from_weight_decay(var_list=[var3])
    opt3.apply_gradients([(zero, var1), (zero, var3)])
    return float(var1), float(var2), float(var3)


@pytest.fixture
def drivers():
    """The driver functions above, for test modules (conftest is not importable)."""
    return SimpleNamespace(run_trajectory=run_trajectory,
                           assert_trajectory=assert_trajectory,
                           keras_golden_run=keras_golden_run,
                           keras_single_step=keras_single_step,
                           keras_weight_decay_run=keras_weight_decay_run)


def torch_trajectory(torch, torch_optimizer_cls, weights, grad_steps, **kwargs):
    """The same trajectory with a torch.optim optimizer (float32 parameters)."""
    params = [torch.nn.Parameter(torch.tensor(w)) for w in weights]
    opt = torch_optimizer_cls(params, **kwargs)
    trajectory = []
    for grads in grad_steps:
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.tensor(g)
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


@pytest.fixture
def torch_run():
    """`torch_trajectory`, or a skip when torch is not installed."""
    torch = pytest.importorskip("torch", exc_type=ImportError)

    def run(name, weights, grad_steps, **kwargs):
        return torch_trajectory(torch, getattr(torch.optim, name), weights,
                                grad_steps, **kwargs)

    return run
