"""Binary elementwise ops with broadcasting: forward, gradcheck, torch, ties."""

import numpy as np
import pytest

import baro
from baro import ops
from baro.testing import assert_allclose, gradcheck

BROADCAST_PAIRS = [
    ((), ()),
    ((3,), ()),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((2, 1, 3), (4, 1)),
    ((1,), (2, 3)),
]

CASES = {
    "add": (ops.add, np.add, "any", "add"),
    "subtract": (ops.subtract, np.subtract, "any", "sub"),
    "multiply": (ops.multiply, np.multiply, "any", "mul"),
    "divide": (ops.divide, np.divide, "away_from_zero", "div"),
    "power": (ops.power, np.power, "positive_base", "pow"),
    "maximum": (ops.maximum, np.maximum, "distinct", "maximum"),
    "minimum": (ops.minimum, np.minimum, "distinct", "minimum"),
}


def sample(domain, shape_a, shape_b, rng):
    a = rng.standard_normal(shape_a)
    b = rng.standard_normal(shape_b)
    if domain == "away_from_zero":
        b = np.sign(b) * (np.abs(b) + 0.5) + (b == 0)
    if domain == "positive_base":
        a = np.abs(a) + 0.5
    if domain == "distinct":
        b = b + 0.05  # ties have probability zero but keep margins clear
    return a, b


PARAMS = [(n, pa, pb) for n in CASES for pa, pb in BROADCAST_PAIRS]


@pytest.mark.parametrize("name,shape_a,shape_b", PARAMS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_matches_numpy(name, shape_a, shape_b, dtype, rng):
    fn, reference, domain, _ = CASES[name]
    a, b = sample(domain, shape_a, shape_b, rng)
    y = fn(baro.Tensor(a.astype(dtype)), baro.Tensor(b.astype(dtype)))
    assert y.dtype == dtype
    assert_allclose(y, reference(a.astype(dtype), b.astype(dtype)),
                    rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,shape_a,shape_b", PARAMS)
def test_gradient_matches_finite_differences(name, shape_a, shape_b, rng):
    fn, _, domain, _ = CASES[name]
    a, b = sample(domain, shape_a, shape_b, rng)
    gradcheck(fn, a, b)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch_with_broadcasting(name, rng):
    torch = pytest.importorskip("torch")
    fn, _, domain, torch_name = CASES[name]
    a, b = sample(domain, (2, 1, 3), (4, 1), rng)
    at = torch.tensor(a, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    getattr(torch, torch_name)(at, bt).sum().backward()
    ab = baro.Tensor(a, requires_grad=True)
    bb = baro.Tensor(b, requires_grad=True)
    y = fn(ab, bb)
    y.sum().backward()
    assert_allclose(y, getattr(torch, torch_name)(torch.tensor(a), torch.tensor(b)))
    assert_allclose(ab.grad, at.grad.numpy(), rtol=1e-10)
    assert_allclose(bb.grad, bt.grad.numpy(), rtol=1e-10)


def test_maximum_and_minimum_split_gradient_at_ties():
    a = baro.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = baro.Tensor(np.array([1.0, 5.0, 0.0]), requires_grad=True)
    ops.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0, 1.0]
    assert b.grad.tolist() == [0.5, 1.0, 0.0]


def test_power_with_scalar_and_tensor_exponents():
    gradcheck(lambda x: x**3, np.array([-1.5, 0.5, 2.0]))
    gradcheck(lambda x: x**0.5, np.array([0.5, 2.0]))
    gradcheck(lambda x: 2.0**x, np.array([-1.0, 0.5]))
    x = baro.Tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x**2).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0]


def test_power_gradient_for_exponent_is_zero_where_base_is_not_positive():
    a = baro.Tensor(np.array([0.0, -2.0, 2.0]))
    b = baro.Tensor(np.array([2.0, 2.0, 2.0]), requires_grad=True)
    ops.power(a, b).sum().backward()
    assert_allclose(b.grad, [0.0, 0.0, 4.0 * np.log(2.0)])


def test_negative_base_with_fractional_exponent_is_an_error():
    with pytest.raises(ValueError, match="power.*domain"):
        ops.power(np.array([-1.0]), 0.5)


def test_mismatched_shapes_name_the_op_and_both_shapes():
    with pytest.raises(ValueError) as info:
        ops.add(np.ones((2, 3)), np.ones((4,)))
    message = str(info.value)
    assert message.startswith("add:")
    assert "(2, 3)" in message and "(4,)" in message
    assert "broadcast" in message


def test_int_and_float_promote_to_the_float_not_float64():
    i = baro.constant([1, 2])
    f = baro.constant([0.5, 0.5])
    assert (i + f).dtype == "float32"
    assert (i * 2.5).dtype == "float32"
    assert (i * 2).dtype == "int32"
    assert ops.divide(i, 2).dtype == "float32"
