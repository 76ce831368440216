"""Activations: forward vs NumPy, float64 gradcheck, torch parity, Keras goldens,
the `get` / `serialize` / `deserialize` name rules."""

import json
import math

import numpy as np
import pytest

import baro
from baro import activations
from baro.testing import analytic_grad, assert_allclose, gradcheck

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _erf(x):
    return np.vectorize(math.erf)(x)


def _log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _glu(x):
    a, b = np.split(x, 2, axis=-1)
    return a * _sigmoid(b)


def _relu_ref(x, negative_slope=0.0, max_value=None, threshold=0.0):
    # Keras's recipe: x above the threshold, capped into [0, max_value], minus
    # the slope times how far x is below the threshold.
    y = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    return y - negative_slope * np.maximum(threshold - x, 0.0)


# name: (function, NumPy reference, kinks to keep finite differences away from,
#        torch.nn.functional call or None)
CASES = {
    "relu": (activations.relu, lambda x: np.maximum(x, 0), [0], "relu"),
    "relu_slope": (lambda x: activations.relu(x, negative_slope=0.1),
                   lambda x: _relu_ref(x, 0.1), [0],
                   lambda F, x: F.leaky_relu(x, 0.1)),
    "relu_all": (lambda x: activations.relu(x, 0.1, 2.0, -1.0),
                 lambda x: _relu_ref(x, 0.1, 2.0, -1.0), [-1, 0, 2], None),
    "relu_cap": (lambda x: activations.relu(x, max_value=1.5),
                 lambda x: np.clip(x, 0, 1.5), [0, 1.5], None),
    "leaky_relu": (activations.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x),
                   [0], lambda F, x: F.leaky_relu(x, 0.2)),
    "relu6": (activations.relu6, lambda x: np.clip(x, 0, 6), [0, 6], "relu6"),
    "elu": (activations.elu, _elu, [0], "elu"),
    "selu": (activations.selu, lambda x: SELU_SCALE * _elu(x, SELU_ALPHA), [0],
             "selu"),
    "celu": (lambda x: activations.celu(x, alpha=0.7),
             lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0) / 0.7)),
             [0], lambda F, x: F.celu(x, 0.7)),
    "softplus": (activations.softplus, _softplus, [], "softplus"),
    "softsign": (activations.softsign, lambda x: x / (1 + np.abs(x)), [0],
                 "softsign"),
    "silu": (activations.silu, lambda x: x * _sigmoid(x), [], "silu"),
    "swish": (activations.swish, lambda x: x * _sigmoid(x), [], "silu"),
    "gelu": (activations.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))), [],
             "gelu"),
    "gelu_tanh": (lambda x: activations.gelu(x, approximate=True),
                  lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi)
                                                   * (x + 0.044715 * x**3))),
                  [], lambda F, x: F.gelu(x, approximate="tanh")),
    "tanh": (activations.tanh, np.tanh, [], "tanh"),
    "sigmoid": (activations.sigmoid, _sigmoid, [], "sigmoid"),
    "exponential": (activations.exponential, np.exp, [], lambda F, x: x.exp()),
    "hard_sigmoid": (activations.hard_sigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1),
                     [-3, 3], "hardsigmoid"),
    "hard_silu": (activations.hard_silu,
                  lambda x: x * np.clip(x + 3, 0, 6) / 6, [-3, 3], "hardswish"),
    "hard_tanh": (activations.hard_tanh, lambda x: np.clip(x, -1, 1), [-1, 1],
                  "hardtanh"),
    "linear": (activations.linear, lambda x: x, [], None),
    "mish": (activations.mish, lambda x: x * np.tanh(_softplus(x)), [], "mish"),
    "log_sigmoid": (activations.log_sigmoid, lambda x: -_softplus(-x), [],
                    "logsigmoid"),
    "softmax": (activations.softmax, lambda x: np.exp(_log_softmax(x)), [],
                lambda F, x: F.softmax(x, dim=-1)),
    "log_softmax": (activations.log_softmax, _log_softmax, [],
                    lambda F, x: F.log_softmax(x, dim=-1)),
    "hard_shrink": (activations.hard_shrink,
                    lambda x: np.where(np.abs(x) > 0.5, x, 0), [-0.5, 0.5],
                    "hardshrink"),
    "soft_shrink": (activations.soft_shrink,
                    lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0),
                    [-0.5, 0.5], "softshrink"),
    "tanh_shrink": (activations.tanh_shrink, lambda x: x - np.tanh(x), [],
                    "tanhshrink"),
    "squareplus": (activations.squareplus, lambda x: (x + np.sqrt(x * x + 4)) / 2,
                   [], None),
    "sparse_plus": (activations.sparse_plus,
                    lambda x: np.where(x >= 1, x, np.where(x > -1,
                                                           (x + 1) ** 2 / 4, 0)),
                    [-1, 1], None),
    "sparse_sigmoid": (activations.sparse_sigmoid,
                       lambda x: np.clip((x + 1) / 2, 0, 1), [-1, 1], None),
    "threshold": (lambda x: activations.threshold(x, 0.3, -2.0),
                  lambda x: np.where(x > 0.3, x, -2.0), [0.3],
                  lambda F, x: F.threshold(x, 0.3, -2.0)),
    "glu": (activations.glu, _glu, [], lambda F, x: F.glu(x, dim=-1)),
}
SHAPES = [(6,), (2, 4), (2, 3, 4)]


def sample(kinks, shape, rng):
    x = rng.standard_normal(shape) * 2.5
    for k in kinks:  # finite differences need |x - kink| > eps
        x = np.where(np.abs(x - k) < 0.1, k + 0.3, x)
    return x


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_matches_numpy_and_keeps_dtype(name, shape, dtype, rng):
    fn, reference, kinks, _ = CASES[name]
    x = sample(kinks, shape, rng).astype(dtype)
    y = fn(baro.Tensor(x))
    assert y.dtype == dtype
    tol = 1e-6 if dtype == "float32" else 1e-12
    assert_allclose(y, reference(x.astype(np.float64)), rtol=10 * tol, atol=tol)


@pytest.mark.parametrize("name", [n for n in CASES if n != "linear"])
def test_gradient_matches_finite_differences(name, rng):
    fn, _, kinks, _ = CASES[name]
    gradcheck(fn, sample(kinks, (3, 4), rng))


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][3]])
def test_matches_torch(name, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    functional = torch.nn.functional
    fn, _, kinks, torch_fn = CASES[name]
    if isinstance(torch_fn, str):
        torch_fn = getattr(functional, torch_fn)
        torch_call = torch_fn
    else:
        def torch_call(x):
            return torch_fn(functional, x)
    x = sample(kinks, (3, 4), rng)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_call(xt)
    seed = rng.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(seed))
    xb = baro.Tensor(x, requires_grad=True)
    yb = fn(xb)
    yb.backward(seed)
    assert_allclose(yb, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    # torch's hardsigmoid and celu backward kernels use float32 constants (1/6,
    # 1/alpha) even in float64, hence 1e-7 and not 1e-10 for gradients.
    assert_allclose(xb.grad, xt.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_relu_options_match_keras_goldens():
    # The expected values are the ones in Keras 3's own activations tests.
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    relu = activations.relu
    assert relu(x).numpy().tolist() == [0, 0, 0, 5, 10]
    assert relu(x, negative_slope=0.5).numpy().tolist() == [-5, -2.5, 0, 5, 10]
    assert relu(x, max_value=5.0).numpy().tolist() == [0, 0, 0, 5, 5]
    assert relu(x, threshold=5.0).numpy().tolist() == [0, 0, 0, 0, 10]
    assert relu(x, threshold=5.0, max_value=5.0).numpy().tolist() == [0, 0, 0, 0, 5]
    assert relu(x, negative_slope=0.5, max_value=5.0, threshold=5.0).numpy() \
        .tolist() == [-7.5, -5, -2.5, 0, 5]
    assert relu(x + [12.0], max_value=6.0).numpy().tolist() == [0, 0, 0, 5, 6, 6]


def test_relu_rejects_negative_max_value():
    with pytest.raises(ValueError, match=r"relu: max_value must be >= 0.*-1"):
        activations.relu([1.0], max_value=-1.0)


def test_kink_conventions_follow_the_ops():
    assert analytic_grad(activations.relu, [0.0]).tolist() == [0.0]
    assert analytic_grad(lambda t: activations.relu(t, max_value=6.0),
                         [0.0, 3.0, 6.0]).tolist() == [0.0, 1.0, 0.0]
    assert analytic_grad(activations.hard_silu, [-5.0, 0.0, 5.0]).tolist() == \
        [0.0, 0.5, 1.0]


def test_softmax_accepts_rank_one_like_keras3():
    # Keras 2 raised "Cannot apply softmax to a tensor that is 1D"; Keras 3 does not.
    y = activations.softmax([1.0, 2.0, 3.0])
    assert_allclose(y, np.exp(_log_softmax(np.array([1.0, 2.0, 3.0]))))


@pytest.mark.parametrize("axis", [(1, 2), [0, 2], (0,)])
def test_softmax_and_log_softmax_over_several_axes(axis, rng):
    x = rng.standard_normal((2, 3, 4))
    axis_t = tuple(axis)
    assert_allclose(activations.log_softmax(x, axis=axis), _log_softmax(x, axis_t),
                    rtol=1e-12, atol=1e-12)
    y = activations.softmax(x, axis=axis).numpy()
    totals = y.sum(axis=axis_t)
    assert_allclose(totals, np.ones_like(totals), rtol=1e-12)
    gradcheck(lambda t: activations.softmax(t, axis=axis), x)


def test_softmax_is_stable_for_huge_logits():
    x = np.array([[1e4, 1e4 + 1.0, 1e4 - 1.0]], dtype=np.float32)
    y = activations.softmax(x, axis=(1,)).numpy()
    assert np.isfinite(y).all()
    assert_allclose(y, activations.softmax(x - 1e4).numpy(), rtol=1e-5)


def test_integer_inputs_become_floatx():
    for name in ("relu", "mish", "hard_silu", "soft_shrink", "sparse_plus", "celu"):
        assert activations.get(name)([-1, 0, 2]).dtype == "float32"


def test_linear_returns_its_input_unchanged():
    x = baro.Tensor([1.0, -2.0])
    assert activations.linear(x) is x


def test_bad_arguments_raise_with_the_function_name():
    with pytest.raises(ValueError, match=r"glu: .*odd size 3"):
        activations.glu(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"squareplus: b must be >= 0"):
        activations.squareplus([1.0], b=-1)
    with pytest.raises(ValueError, match=r"celu: alpha must be non-zero"):
        activations.celu([1.0], alpha=0.0)


def test_get_resolves_names_none_and_callables():
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(None) is activations.linear
    assert activations.get(baro.ops.tanh) is baro.ops.tanh

    def custom(x):
        return x * 2.0

    assert activations.get(custom) is custom
    for name, fn in activations.ALL_OBJECTS_DICT.items():
        assert activations.get(name) is fn


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown activation 'relux'.*relu6"):
        activations.get("relux")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(3)


@pytest.mark.parametrize("name", sorted(activations.ALL_OBJECTS_DICT))
def test_serialize_round_trips_through_json(name):
    fn = activations.get(name)
    saved = json.loads(json.dumps(activations.serialize(fn)))
    assert activations.deserialize(saved) is fn


def test_deserialize_accepts_keras3_function_dicts():
    saved = {"module": "keras.activations", "class_name": "function",
             "config": "relu", "registered_name": "relu"}
    assert activations.get(saved) is activations.relu
    assert activations.deserialize(saved) is activations.relu


def test_serialize_writes_canonical_names_and_rejects_unknown_functions():
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    with pytest.raises(ValueError, match="not a built-in activation"):
        activations.serialize(lambda x: x)


def test_registered_and_custom_functions():
    def scaled_tanh(x):
        return 2.0 * baro.ops.tanh(x)

    baro.saving.register_serializable("test_acts")(scaled_tanh)
    name = activations.serialize(scaled_tanh)
    assert name == "test_acts>scaled_tanh"
    assert activations.deserialize(name) is scaled_tanh
    assert activations.get(name) is scaled_tanh

    def other(x):
        return x

    assert activations.deserialize("mine", custom_objects={"mine": other}) is other
