"""Elementwise unary ops: forward vs NumPy, float64 gradcheck, torch parity, kinks."""

import math

import numpy as np
import pytest

import baro
from baro import ops
from baro.testing import analytic_grad as grad_of
from baro.testing import assert_allclose, gradcheck

SHAPES = [(), (5,), (2, 3), (2, 1, 3)]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _erf(x):
    return np.vectorize(math.erf)(x)


def _gelu_exact(x):
    return 0.5 * x * (1 + _erf(x / np.sqrt(2)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


SELU = (1.6732632423543772, 1.0507009873554805)

# name: (baro function, NumPy reference, domain sampler, torch function name or None)
CASES = {
    "exp": (ops.exp, np.exp, "any", "exp"),
    "log": (ops.log, np.log, "positive", "log"),
    "log1p": (ops.log1p, np.log1p, "positive", "log1p"),
    "sqrt": (ops.sqrt, np.sqrt, "positive", "sqrt"),
    "rsqrt": (ops.rsqrt, lambda x: 1 / np.sqrt(x), "positive", "rsqrt"),
    "square": (ops.square, np.square, "any", "square"),
    "abs": (ops.abs, np.abs, "nonzero", "abs"),
    "negative": (ops.negative, np.negative, "any", "neg"),
    "sin": (ops.sin, np.sin, "any", "sin"),
    "cos": (ops.cos, np.cos, "any", "cos"),
    "erf": (ops.erf, _erf, "any", "erf"),
    "tanh": (ops.tanh, np.tanh, "any", "tanh"),
    "sigmoid": (ops.sigmoid, _sigmoid, "any", "sigmoid"),
    "relu": (ops.relu, lambda x: np.maximum(x, 0), "nonzero", "relu"),
    "relu6": (ops.relu6, lambda x: np.clip(x, 0, 6), "relu6", None),
    "leaky_relu": (ops.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), "nonzero",
                   None),
    "elu": (ops.elu, _elu, "nonzero", None),
    "selu": (ops.selu, lambda x: SELU[1] * _elu(x, SELU[0]), "nonzero", None),
    "gelu": (ops.gelu, _gelu_tanh, "any", None),
    "gelu_exact": (lambda x: ops.gelu(x, approximate=False), _gelu_exact, "any",
                   None),
    "softplus": (ops.softplus, lambda x: np.log1p(np.exp(x)), "any", None),
    "softsign": (ops.softsign, lambda x: x / (1 + np.abs(x)), "nonzero", None),
    "silu": (ops.silu, lambda x: x * _sigmoid(x), "any", None),
    "hard_sigmoid": (ops.hard_sigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1), "hard",
                     None),
    "softmax": (ops.softmax, lambda x: np.exp(x - np.log(np.exp(x).sum(-1,
                keepdims=True))), "any", None),
    "log_softmax": (ops.log_softmax, lambda x: x - np.log(np.exp(x).sum(-1,
                    keepdims=True)), "any", None),
}


def sample(domain, shape, rng):
    x = rng.standard_normal(shape) * 2
    if domain == "positive":
        return np.abs(x) + 0.5
    if domain == "nonzero":  # keep finite differences off the kink at 0
        return np.where(np.abs(x) < 0.1, 0.5, x)
    if domain == "relu6":
        return rng.uniform(0.2, 5.8, shape) * rng.choice([-1, 1], shape)
    if domain == "hard":
        return rng.uniform(-2.8, 2.8, shape)
    return x


def _shapes_for(name):
    # softmax over the last axis needs at least one axis.
    return SHAPES[1:] if "softmax" in name else SHAPES


PARAMS = [(name, shape) for name in CASES for shape in _shapes_for(name)]


@pytest.mark.parametrize("name,shape", PARAMS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_matches_numpy(name, shape, dtype, rng):
    fn, reference, domain, _ = CASES[name]
    x = sample(domain, shape, rng).astype(dtype)
    y = fn(baro.Tensor(x))
    assert y.dtype == dtype
    tol = 1e-6 if dtype == "float32" else 1e-12
    assert_allclose(y, reference(x.astype(np.float64)), rtol=tol * 10, atol=tol)


@pytest.mark.parametrize("name,shape", PARAMS)
def test_gradient_matches_finite_differences(name, shape, rng):
    fn, _, domain, _ = CASES[name]
    gradcheck(fn, sample(domain, shape, rng))


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][3]])
def test_matches_torch(name, rng):
    torch = pytest.importorskip("torch")
    fn, _, domain, torch_name = CASES[name]
    x = sample(domain, (3, 4), rng)
    seed = rng.standard_normal((3, 4))
    xt = torch.tensor(x, requires_grad=True)
    getattr(torch, torch_name)(xt).backward(torch.tensor(seed))
    xb = baro.Tensor(x, requires_grad=True)
    yb = fn(xb)
    yb.backward(seed)
    assert_allclose(yb, getattr(torch, torch_name)(torch.tensor(x)).numpy(),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(xb.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-12)




def test_kink_conventions_are_pinned():
    assert grad_of(ops.relu, [0.0]).tolist() == [0.0]
    assert grad_of(ops.abs, [0.0]).tolist() == [0.0]
    assert grad_of(ops.relu6, [0.0, 6.0, 3.0]).tolist() == [0.0, 0.0, 1.0]
    assert grad_of(ops.leaky_relu, [0.0]).tolist() == [0.2]
    assert grad_of(ops.elu, [0.0]).tolist() == [1.0]
    assert grad_of(ops.hard_sigmoid, [-3.0, 3.0, 0.0]).tolist() == [0.0, 0.0, 1 / 6]


def test_sigmoid_and_softplus_are_stable_for_extreme_inputs():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=np.float32)
    s = ops.sigmoid(x).numpy()
    assert np.isfinite(s).all()
    assert s[0] == 0.0 and s[-1] == 1.0
    assert s[1] > 0  # 2e-22 is representable in float32
    sp = ops.softplus(x).numpy()
    assert_allclose(sp, [0.0, np.exp(-50.0), np.log(2.0), 50.0, 1000.0], rtol=1e-6)
    assert np.isfinite(grad_of(ops.sigmoid, [-1000.0, 1000.0])).all()


def test_softmax_is_stable_for_large_logits():
    base = np.array([[0.0, 1.0, 2.0]])
    for offset in [1e4, 1e8]:
        assert_allclose(ops.softmax(base + offset), ops.softmax(base), rtol=1e-6)
    # At 1e20 the three logits round to one value: uniform, and never NaN.
    assert_allclose(ops.softmax(base + 1e20), np.full((1, 3), 1 / 3))


def test_log_softmax_is_stable_for_large_logits():
    x = np.array([[1000.0, 0.0, -1000.0]])
    y = ops.log_softmax(x).numpy()
    assert_allclose(y, [[0.0, -1000.0, -2000.0]])
    assert_allclose(ops.log_softmax(np.array([[0.0, -np.inf]])), [[0.0, -np.inf]])


def test_softmax_on_other_axis():
    x = np.random.default_rng(1).standard_normal((3, 4))
    assert_allclose(ops.softmax(x, axis=0).numpy().sum(axis=0), np.ones(4))
    gradcheck(lambda t: ops.softmax(t, axis=0) * baro.constant(np.arange(12.0)
              .reshape(3, 4)), x)


def test_integer_inputs_become_floatx():
    assert ops.exp([0, 1]).dtype == "float32"
    assert ops.sigmoid(np.array([0, 1], dtype=np.int64)).dtype == "float32"
    assert ops.abs([-1, 2]).dtype == "int32"


@pytest.mark.parametrize("fn,bad", [(ops.log, -1.0), (ops.sqrt, -1.0),
                                    (ops.log1p, -2.0), (ops.rsqrt, -4.0)])
def test_nan_producing_domain_is_a_clear_error(fn, bad):
    with pytest.raises(ValueError, match="domain.*shape|domain") as info:
        fn(np.array([1.0, bad]))
    assert "(2,)" in str(info.value)


def test_log_of_zero_is_minus_infinity_not_an_error():
    assert ops.log(np.array([0.0])).numpy()[0] == -np.inf


def test_clip_forward_gradient_and_bounds(rng):
    x = np.array([-2.0, -1.0, 0.3, 1.0, 2.0])
    assert_allclose(ops.clip(x, -1.0, 1.0), np.clip(x, -1.0, 1.0))
    # The gradient passes inside the bounds and at them (TF's clip_by_value).
    assert grad_of(lambda t: ops.clip(t, -1.0, 1.0), x).tolist() == \
        [0.0, 1.0, 1.0, 1.0, 0.0]
    gradcheck(lambda t: ops.clip(t, -0.5, 0.5), rng.uniform(-1, 1, (3, 4)) * 0.9
              + np.sign(rng.standard_normal((3, 4))) * 0.05)
    with pytest.raises(ValueError, match="x_min"):
        ops.clip(x, 1.0, -1.0)


def test_cast_between_floats_is_differentiable():
    x = baro.Tensor(np.array([1.5, -2.0], np.float32), requires_grad=True)
    y = ops.cast(x, "float64")
    assert y.dtype == "float64"
    (y * y).sum().backward()
    assert x.grad.dtype == "float32"
    assert x.grad.tolist() == [3.0, -4.0]


def test_cast_to_int_truncates_and_carries_no_gradient():
    x = baro.Tensor(np.array([1.7, -1.7]), requires_grad=True)
    y = ops.cast(x, "int32")
    assert y.numpy().tolist() == [1, -1]
    assert not y.requires_grad
    assert ops.cast(x, "float64") is x  # same dtype: nothing to do


def test_stop_gradient_blocks_the_gradient():
    x = baro.Tensor(np.array([3.0]), requires_grad=True)
    (ops.stop_gradient(x * x) * x).sum().backward()
    assert x.grad.tolist() == [9.0]


def test_piecewise_constant_ops_are_not_recorded():
    x = baro.Tensor(np.array([-1.5, 0.0, 2.5]), requires_grad=True)
    assert ops.sign(x).numpy().tolist() == [-1.0, 0.0, 1.0]
    assert ops.floor(x).numpy().tolist() == [-2.0, 0.0, 2.0]
    assert ops.ceil(x).numpy().tolist() == [-1.0, 0.0, 3.0]
    assert ops.round(x).numpy().tolist() == [-2.0, 0.0, 2.0]  # half to even
    for fn in (ops.sign, ops.floor, ops.ceil, ops.round):
        assert fn(x).creator is None
