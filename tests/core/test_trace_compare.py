"""What two traces may differ in: `same_setting` on the values ops keep."""

import functools

import numpy as np
import pytest

import baro
from baro.core.trace_compare import configuration, same_setting


class _Slotted:
    __slots__ = ("kernel", "strides")

    def __init__(self, kernel, strides):
        self.kernel = kernel
        self.strides = strides


class _Plain:
    def __init__(self, value):
        self.value = value


def _closure(value):
    return lambda a: a > value


SAME = [
    (1.5, 1.5), (float("nan"), float("nan")), (3, 3), ("same", "same"),
    (np.float32, np.float32), (np.dtype("float32"), np.dtype("float32")),
    (np.float32(2.0), np.float32(2.0)), (np.arange(3), np.arange(3)),
    (np.array([np.nan]), np.array([np.nan])), ((1, slice(0, 2)), (1, slice(0, 2))),
    ({"axis": -1}, {"axis": -1}), (_Slotted((3, 3), 1), _Slotted((3, 3), 1)),
    (_Plain([1, 2]), _Plain([1, 2])), (_closure(0.5), _closure(0.5)),
    (functools.partial(max, 1), functools.partial(max, 1)),
    (baro.Tensor(np.ones(2)), baro.Tensor(np.ones(2))), (Ellipsis, Ellipsis),
]
DIFFERENT = [
    (1.5, 2.5), (1, 1.0), (np.dtype("float32"), np.dtype("float64")),
    (np.arange(3), np.arange(1, 4)), (np.ones(2, "float32"), np.ones(2)),
    ((1, slice(0, 2)), (1, slice(0, 3))), (_Slotted((3, 3), 1), _Slotted((3, 3), 2)),
    (_Plain([1, 2]), _Plain([1, 3])), (_closure(0.5), _closure(0.6)),
    (lambda a: a, lambda a: -a), (functools.partial(max, 1), functools.partial(max, 2)),
    (baro.Tensor(np.ones(2)), baro.Tensor(np.zeros(2))), (object(), object()),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_equal_settings_are_the_same(a, b):
    assert same_setting(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_settings_with_other_values_differ(a, b):
    assert not same_setting(a, b)


def test_variables_compare_by_identity_not_value():
    a, b = baro.Variable(np.ones(2)), baro.Variable(np.ones(2))
    assert same_setting(a, a) and not same_setting(a, b)


def test_self_referencing_settings_end_as_different_not_in_recursion():
    a, b = _Plain(None), _Plain(None)
    a.value, b.value = [a], [b]
    assert not same_setting(a, b)


def test_configuration_leaves_out_the_engines_bookkeeping():
    x = baro.Tensor(np.ones(2), requires_grad=True)
    y = x * 2.0
    names = set(configuration(y.creator))
    assert not names & {"inputs", "generation", "sequence", "saved"}
