"""matmul: every rank combination NumPy allows, gradients, errors, torch."""

import numpy as np
import pytest

import baro
from baro import ops
from baro.testing import assert_allclose, gradcheck

SHAPES = [
    ((2, 3), (3, 4)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((3,), (3,)),
    ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 2)),
]


@pytest.mark.parametrize("shape_a,shape_b", SHAPES)
def test_matmul_forward_and_gradient(shape_a, shape_b, rng):
    a = rng.standard_normal(shape_a)
    b = rng.standard_normal(shape_b)
    y = ops.matmul(a, b)
    assert_allclose(y, np.matmul(a, b), rtol=1e-12)
    gradcheck(ops.matmul, a, b)


def test_matmul_operator_and_float32(rng):
    a = baro.constant(rng.standard_normal((4, 3)).astype(np.float32))
    b = baro.constant(rng.standard_normal((3, 2)).astype(np.float32))
    y = a @ b
    assert y.dtype == "float32"
    assert_allclose(y, a.numpy() @ b.numpy(), rtol=1e-5)


def test_matmul_skips_gradient_of_constant_operand(rng):
    x = baro.constant(rng.standard_normal((4, 3)))
    w = baro.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    y = x @ w
    grads = y.creator.backward(np.ones((4, 2)))
    assert grads[0] is None
    assert grads[1].shape == (3, 2)


def test_matmul_shape_error_names_both_shapes_and_suggests_a_fix():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\).*transpose"):
        ops.matmul(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="scalars"):
        ops.matmul(np.ones(()), np.ones((2, 2)))


def test_matmul_matches_torch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((5, 2, 3))
    b = rng.standard_normal((3, 4))
    at = torch.tensor(a, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    (at @ bt).sum().backward()
    ab = baro.Tensor(a, requires_grad=True)
    bb = baro.Tensor(b, requires_grad=True)
    (ab @ bb).sum().backward()
    assert_allclose(ab.grad, at.grad.numpy(), rtol=1e-12)
    assert_allclose(bb.grad, bt.grad.numpy(), rtol=1e-12)
