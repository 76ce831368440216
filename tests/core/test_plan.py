"""Trace once, replay on new inputs: values and gradients equal eager execution."""

import numpy as np
import pytest

import baro
from baro.core import tracing
from baro.core.plan import Plan
from baro.testing import assert_allclose


def traced_loss(x_value, t_value, w):
    x = baro.Tensor(x_value)
    t = baro.Tensor(t_value)
    with tracing.trace() as record:
        y = baro.matmul(x, w)
        loss = baro.reduce_sum(baro.square(y - t))
        hits = baro.reduce_sum(baro.cast(baro.greater(y, t), "float64"))
    return Plan(record, [x, t], [loss, hits], [w]), loss, hits


def test_replay_recomputes_values_and_gradients_for_new_inputs():
    rng = np.random.default_rng(0)
    w = baro.Variable(rng.standard_normal((3, 1)), dtype="float64")
    plan, _, _ = traced_loss(rng.standard_normal((4, 3)),
                             rng.standard_normal((4, 1)), w)
    x2 = rng.standard_normal((4, 3))
    t2 = rng.standard_normal((4, 1))
    slots = plan.run([x2, t2])
    loss, hits = plan.outputs(slots)
    y = x2 @ w.numpy()
    assert_allclose(loss, ((y - t2) ** 2).sum(), rtol=1e-12)
    assert hits == (y > t2).sum()  # an integer-valued op, recomputed too
    (grad,) = plan.gradients(slots, plan.output_slots[0], [plan.variables[0][0]])
    assert_allclose(grad, 2 * x2.T @ (y - t2), rtol=1e-12)


def test_variables_are_read_fresh_on_every_run():
    w = baro.Variable(np.ones((2, 1)))
    plan, _, _ = traced_loss(np.ones((1, 2)), np.zeros((1, 1)), w)
    first = plan.outputs(plan.run([np.ones((1, 2)), np.zeros((1, 1))]))[0]
    w.assign(np.full((2, 1), 2.0))
    second = plan.outputs(plan.run([np.ones((1, 2)), np.zeros((1, 1))]))[0]
    assert (first, second) == (4.0, 16.0)


def test_dropout_draws_a_new_mask_on_every_replay():
    x = baro.Tensor(np.ones((50, 50)))
    with tracing.trace() as record:
        y = baro.nn.dropout(x, 0.5)
    plan = Plan(record, [x], [y])
    a = plan.outputs(plan.run([np.ones((50, 50))]))[0]
    b = plan.outputs(plan.run([np.ones((50, 50))]))[0]
    assert not np.array_equal(a, b)


def test_gradient_through_untraced_source_is_reported():
    x = baro.Tensor(np.ones(3))
    with tracing.trace() as record:
        y = baro.reduce_sum(x * 2.0)
    plan = Plan(record, [x], [y])
    slots = plan.run([np.ones(3)])
    with pytest.raises(ValueError, match="requires_grad"):
        plan.gradients(slots, plan.output_slots[0], [plan.input_slots[0]])


class _Scale(baro.core.Function):
    """y = x * factor, with `factor` a Python float the wrapper computes."""

    def __init__(self, factor):
        self.factor = factor

    def forward(self, x):
        self.last_max = x.max()  # per-call state: recomputed by a replay
        return x * self.factor

    def backward(self, g):
        return g * self.factor


def _trace(make, value):
    x = baro.Tensor(np.asarray(value, dtype="float64"))
    with tracing.trace() as record:
        y = make(x)
    return Plan(record, [x], [y])


def test_traces_differing_only_in_an_op_setting_are_not_the_same():
    # The factor is read from the input's values in Python: a replay would
    # keep the first batch's factor, so a second trace must tell them apart.
    def peeking(x):
        return _Scale(float(x.data.max())).apply(x)

    first = _trace(peeking, [1.0, 2.0])
    assert first.same_as(_trace(peeking, [1.0, 2.0]))
    other = _trace(peeking, [1.0, 3.0])
    assert first.constants == other.constants == []
    assert not first.same_as(other)
    assert "'factor'" in first.difference(other)
    # State forward stores (last_max) is recomputed by a replay: not compared.
    fixed = _trace(lambda x: _Scale(2.0).apply(x), [1.0, 2.0])
    assert fixed.same_as(_trace(lambda x: _Scale(2.0).apply(x), [5.0, 7.0]))


def test_closures_and_index_arrays_taken_from_values_are_compared():
    from baro.ops.casting import NoGrad

    def threshold(x):  # a fresh lambda per call, closing over a value
        cut = x.data.mean()
        return NoGrad(lambda a: a > cut, "above_mean").apply(x)

    assert not _trace(threshold, [1.0, 2.0]).same_as(_trace(threshold, [1.0, 4.0]))
    assert _trace(threshold, [1.0, 2.0]).same_as(_trace(threshold, [0.0, 3.0]))

    def gather(x):  # an index tensor becomes GetItem's key
        return x[baro.Tensor(np.argsort(x.data))]

    assert not _trace(gather, [1.0, 2.0]).same_as(_trace(gather, [2.0, 1.0]))
    assert _trace(gather, [1.0, 2.0]).same_as(_trace(gather, [3.0, 4.0]))

    def clip(x):  # a tensor bound is kept as an array on the op
        return baro.clip_by_value(x, x[0], 9.0)

    assert not _trace(clip, [1.0, 2.0]).same_as(_trace(clip, [4.0, 5.0]))
