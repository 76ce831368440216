"""The backward engine: accumulation, ordering, release, deep graphs."""

import sys

import numpy as np
import pytest

import baro
from baro.core import Function, Tensor, no_grad, unbroadcast
from baro.testing import assert_allclose


def leaf(values, dtype="float64"):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_gradient_accumulates_when_tensor_used_twice():
    x = leaf([2.0, -3.0])
    y = (x * x + x).sum()  # dy/dx = 2x + 1
    y.backward()
    assert_allclose(x.grad, [5.0, -5.0])


def test_diamond_graph_visits_shared_node_once_after_all_consumers():
    x = leaf(1.5)
    a = x * 2.0
    b = a * a  # consumer 1 of a
    c = a * 3.0  # consumer 2 of a
    (b + c).backward()
    # d/dx (4x^2 + 6x) = 8x + 6
    assert_allclose(x.grad, 8 * 1.5 + 6)


def test_backward_on_deep_chain_does_not_hit_recursion_limit():
    x = leaf(1.0)
    y = x
    depth = 10_000
    assert depth > sys.getrecursionlimit()
    for _ in range(depth):
        y = y * 1.0001
    y.backward()
    assert_allclose(x.grad, 1.0001**depth, rtol=1e-9)


def test_broadcast_gradient_is_summed_back_to_input_shape():
    a = leaf(np.ones((2, 3)))
    b = leaf(np.ones((3,)))
    c = leaf(np.ones((2, 1)))
    (a * b * c).sum().backward()
    assert b.grad.shape == (3,)
    assert c.grad.shape == (2, 1)
    assert_allclose(b.grad, [2.0, 2.0, 2.0])
    assert_allclose(c.grad, [[3.0], [3.0]])


def test_unbroadcast_sums_leading_and_size_one_axes():
    g = np.arange(24, dtype=float).reshape(2, 3, 4)
    assert_allclose(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    assert_allclose(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, (2, 3, 4)) is g


def test_grad_accumulates_across_backward_calls_until_zeroed():
    x = leaf(3.0)
    (x * x).backward()
    (x * x).backward()
    assert_allclose(x.grad, 12.0)
    x.zero_grad()
    assert x.grad is None


def test_non_scalar_backward_needs_seed():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    with pytest.raises(ValueError, match=r"scalar.*shape \(2,\)"):
        y.backward()
    y.backward(np.array([1.0, 10.0]))
    assert_allclose(x.grad, [3.0, 30.0])


def test_seed_with_wrong_shape_is_rejected():
    x = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match="seed gradient has shape"):
        (x * 2.0).backward(np.ones(3))


def test_backward_releases_saved_buffers_and_refuses_second_pass():
    x = leaf([1.0, 2.0])
    y = x * x
    node = y.creator
    assert node.saved is not None
    y.sum().backward()
    assert node.saved is None
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.sum().backward()


def test_retain_graph_allows_second_backward():
    x = leaf(2.0)
    y = x * x * x
    y.backward(retain_graph=True)
    y.backward()
    assert_allclose(x.grad, 2 * 12.0)


def test_no_grad_records_nothing():
    x = leaf([1.0])
    with no_grad():
        y = x * 2.0
    assert y.creator is None
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require gradients"):
        y.sum().backward()


def test_constants_get_no_gradient_and_skip_work():
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([5.0, 6.0]))
    (x * c).sum().backward()
    assert c.grad is None
    assert_allclose(x.grad, [5.0, 6.0])


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], requires_grad=True)


def test_gradient_dtype_matches_input_dtype_when_mixing_precisions():
    a = Tensor(np.ones(3, np.float32), requires_grad=True)
    b = Tensor(np.ones(3, np.float64), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32
    assert b.grad.dtype == np.float64


def test_leaf_gradients_are_writeable_arrays():
    x = leaf(np.ones((2, 2)))
    x.sum().backward()  # sum's backward is a read-only broadcast view
    g = x.grad.data
    g += 1.0
    assert_allclose(x.grad, 2.0 * np.ones((2, 2)))


class _Twice(Function):
    """A test-only two-output op: (2x, 3x)."""

    def forward(self, x):
        return x * 2, x * 3

    def backward(self, g2, g3):
        total = 0
        if g2 is not None:
            total = total + 2 * g2
        if g3 is not None:
            total = total + 3 * g3
        return total


def test_multi_output_function_with_one_output_unused():
    x = leaf([1.0, 1.0])
    doubled, tripled = _Twice().apply(x)
    assert doubled.creator is tripled.creator
    tripled.sum().backward()
    assert_allclose(x.grad, [3.0, 3.0])


def test_failed_backward_leaves_no_stale_gradients():
    class Boom(Function):
        def forward(self, x):
            return x * 1

        def backward(self, g):
            raise ZeroDivisionError("boom")

    x = leaf(1.0)
    y = Boom().apply(x) * 2.0
    z = y * 3.0
    with pytest.raises(ZeroDivisionError):
        z.backward(retain_graph=True)
    assert y.creator.grads is None


def test_tensor_grad_setter_checks_shape():
    x = leaf([1.0, 2.0])
    x.grad = [0.5, 0.5]
    assert_allclose(x.grad, [0.5, 0.5])
    with pytest.raises(ValueError, match="shape"):
        x.grad = [1.0]


def test_detach_cuts_the_graph():
    x = leaf(2.0)
    y = (x * x).detach() * x
    y.backward()
    assert_allclose(x.grad, 4.0)


def test_generation_orders_nodes():
    x = leaf(1.0)
    y = x * 2.0
    z = y * y
    assert x.generation == 0
    assert z.generation == y.generation + 1


def test_python_scalars_do_not_promote_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * 2.5 + 1) / 3 - 0.5
    assert y.dtype == np.float32
    z = baro.constant([1, 2]) * 1.5
    assert z.dtype == np.float32


def test_fan_out_gradients_sum_in_a_fixed_order_matching_a_replayed_plan():
    # x feeds three branches of one generation; in float32 the sum of 1, 1e8 and
    # -1e8 depends on the order, which once followed the nodes' memory addresses.
    from baro.core import tracing
    from baro.core.plan import Plan

    scales = [np.float32(1.0), np.float32(1e8), np.float32(-1e8)]
    results = []
    for trial in range(20):
        padding = [Tensor(np.zeros(1)) for _ in range(trial)]  # shifts addresses
        x = leaf([1.0], dtype="float32")
        with tracing.trace() as record:
            branches = [x * Tensor(np.array([s], np.float32)) for s in scales]
            total = (branches[0] + branches[1] + branches[2]).sum()
        total.backward(retain_graph=True)
        plan = Plan(record, [], [total], variables=[x])
        slots = plan.run([])
        (replayed,) = plan.gradients(slots, plan.output_slots[0],
                                     [plan.variables[0][0]])
        results.append((float(x.grad[0]), float(replayed[0])))
        del padding
    # Latest recorded branch first: (-1e8 + 1e8) + 1 = 1, the plan's order.
    assert set(results) == {(1.0, 1.0)}
