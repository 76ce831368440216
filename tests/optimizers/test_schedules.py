"""Learning rate schedules against their closed forms (as in Keras 3's own tests)."""

import json
import math

import numpy as np
import pytest

import baro
from baro.optimizers import schedules

STEPS = [0, 1, 3, 10, 25, 99, 100, 150]


def values(schedule, steps=STEPS):
    return [float(schedule(step)) for step in steps]


def test_exponential_decay_continuous_and_staircase():
    lr = schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.96)
    np.testing.assert_allclose(values(lr), [0.05 * 0.96 ** (s / 10) for s in STEPS],
                               rtol=1e-6)
    stairs = schedules.ExponentialDecay(0.1, 3, 0.96, staircase=True)
    np.testing.assert_allclose(values(stairs), [0.1 * 0.96 ** (s // 3) for s in STEPS],
                               rtol=1e-6)


def test_piecewise_constant_decay_at_and_between_boundaries():
    # Keras's test_piecewise_values: values[i] while step <= boundaries[i].
    lr = schedules.PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001])
    steps = [-999, 100, 105, 110, 120, 999]
    np.testing.assert_allclose(values(lr, steps), [1.0, 1.0, 0.1, 0.1, 0.01, 0.001],
                               rtol=1e-6)
    step = baro.Variable(0, dtype="int64", trainable=False)
    lr = schedules.PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7])
    seen = []
    for s in range(5):
        step.assign(s)
        seen.append(float(lr(step)))
    np.testing.assert_allclose(seen, [0.4, 0.4, 0.5, 0.6, 0.7], rtol=1e-6)


@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_decay_with_and_without_cycle(power):
    initial, end, decay_steps = 0.05, 0.001, 10
    lr = schedules.PolynomialDecay(initial, decay_steps, end, power=power)
    expected = [(initial - end) * (1 - min(s, decay_steps) / decay_steps) ** power + end
                for s in STEPS]
    np.testing.assert_allclose(values(lr), expected, rtol=1e-6)
    cyclic = schedules.PolynomialDecay(initial, decay_steps, end, power=power,
                                       cycle=True)
    expected = []
    for s in STEPS:
        period = decay_steps * (1 if s == 0 else math.ceil(s / decay_steps))
        expected.append((initial - end) * (1 - s / period) ** power + end)
    np.testing.assert_allclose(values(cyclic), expected, rtol=1e-6)
    # Keras's test_beyond_end_with_cycle: step 15 is a quarter into period 2.
    assert float(cyclic(15)) == pytest.approx((initial - end) * 0.25**power + end,
                                              rel=1e-6)


def test_inverse_time_decay_continuous_and_staircase():
    lr = schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.96)
    np.testing.assert_allclose(values(lr), [0.1 / (1 + 0.96 * s / 10) for s in STEPS],
                               rtol=1e-6)
    stairs = schedules.InverseTimeDecay(0.1, 10, 0.96, staircase=True)
    np.testing.assert_allclose(values(stairs),
                               [0.1 / (1 + 0.96 * (s // 10)) for s in STEPS], rtol=1e-6)


def cosine(step, decay_steps, alpha=0.0):
    step = min(step, decay_steps)
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay(alpha):
    lr = schedules.CosineDecay(2.0, decay_steps=100, alpha=alpha)
    np.testing.assert_allclose(values(lr), [2.0 * cosine(s, 100, alpha) for s in STEPS],
                               rtol=1e-6, atol=1e-7)


def test_cosine_decay_with_warmup():
    # Linear from initial to warmup_target over warmup_steps, then cosine from
    # warmup_target; alpha scales the floor of the decay.
    initial, target, warmup, decay_steps, alpha = 0.1, 1.0, 20, 50, 0.2
    lr = schedules.CosineDecay(initial, decay_steps, alpha=alpha,
                               warmup_target=target, warmup_steps=warmup)
    steps = [0, 5, 19, 20, 30, 70, 500]
    expected = [initial + (target - initial) * s / warmup if s < warmup
                else target * cosine(s - warmup, decay_steps, alpha) for s in steps]
    np.testing.assert_allclose(values(lr, steps), expected, rtol=1e-6)


def test_schedules_return_float32_scalars_and_accept_tensor_steps():
    lr = schedules.ExponentialDecay(0.1, 10, 0.5)
    for step in (20, np.int64(20), baro.constant(20), baro.Variable(20.0)):
        out = lr(step)
        assert isinstance(out, baro.Tensor) and out.dtype == "float32"
        assert out.shape == () and float(out) == pytest.approx(0.025)


ALL = [
    schedules.ExponentialDecay(0.05, 10, 0.96, staircase=True, name="my_ed"),
    schedules.PiecewiseConstantDecay([10, 20], [1, 2, 3], name="my_pcd"),
    schedules.PolynomialDecay(0.1, 100, 0.005, power=2.0, cycle=True, name="my_pd"),
    schedules.InverseTimeDecay(0.05, 10, 0.96, staircase=True, name="my_itd"),
    schedules.CosineDecay(0.05, 10, alpha=0.1, name="my_cd", warmup_target=0.2,
                          warmup_steps=2),
]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_config_round_trips_through_json(schedule):
    config = json.loads(json.dumps(schedules.serialize(schedule)))
    restored = schedules.deserialize(config)
    assert type(restored) is type(schedule)
    assert restored.get_config() == schedule.get_config()
    assert values(restored) == values(schedule)


def test_initial_learning_rate_may_be_a_tensor():
    lr = schedules.PolynomialDecay(baro.Variable(0.5), 4)
    assert lr.get_config()["initial_learning_rate"] == 0.5
    json.dumps(lr.get_config())


@pytest.mark.parametrize("cls, args", [
    (schedules.ExponentialDecay, (0.1, 0, 0.9)),
    (schedules.PolynomialDecay, (0.1, -5)),
    (schedules.InverseTimeDecay, (0.1, 0, 0.5)),
    (schedules.CosineDecay, (0.1, 0)),
])
def test_non_positive_decay_steps_are_rejected(cls, args):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: argument `decay_steps` "
                                         rf"must be > 0. Received: decay_steps="):
        cls(*args)


def test_piecewise_constant_decay_checks_its_lists():
    with pytest.raises(ValueError, match="boundaries should be 1 less than the length "
                                         "of values"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="strictly increasing"):
        schedules.PiecewiseConstantDecay([5, 5], [0.1, 0.2, 0.3])


def test_custom_schedule_subclass_drives_an_optimizer():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 * 0.5 ** float(step)

    from baro.optimizers import SGD
    w = baro.Variable([0.0])
    opt = SGD(learning_rate=Halving())
    for _ in range(3):
        opt.apply([np.ones(1, "float32")], [w])
    assert float(w) == -(1.0 + 0.5 + 0.25)
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        Halving().get_config()
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        schedules.LearningRateSchedule()(0)


def test_deserialize_rejects_non_schedules():
    from baro.optimizers import SGD, serialize
    with pytest.raises(ValueError, match="as a learning rate schedule: it built a SGD"):
        schedules.deserialize(serialize(SGD()))
    with pytest.raises(ValueError, match="Unknown learning rate schedule class"):
        schedules.deserialize({"class_name": "NoSuchDecay", "config": {}})
