"""Tensor and Variable: construction, conversion, operators, assignment."""

import numpy as np
import pytest

import baro
from baro.testing import assert_allclose


def test_python_values_follow_keras_dtypes():
    assert baro.constant(1.5).dtype == "float32"
    assert baro.constant([1, 2]).dtype == "int32"
    assert baro.constant(2**40).dtype == "int64"
    assert baro.constant(True).dtype == "bool"
    assert baro.Tensor(np.ones(2)).dtype == "float64"


def test_floatx_controls_python_floats():
    baro.backend.set_floatx("float64")
    assert baro.constant(1.0).dtype == "float64"


def test_strings_are_rejected_with_a_clear_error():
    with pytest.raises(TypeError, match="Cannot convert"):
        baro.constant(["a", "b"])


def test_facts_and_conversions():
    t = baro.constant([[1.0, 2.0, 3.0]])
    assert t.shape == (1, 3)
    assert t.ndim == 2
    assert t.size == 3
    assert len(t) == 1
    assert np.asarray(t).shape == (1, 3)
    assert t.tolist() == [[1.0, 2.0, 3.0]]
    assert float(t[0, 1]) == 2.0
    assert [row.shape for row in t] == [(3,)]
    assert "shape=(1, 3)" in repr(t)


def test_truth_value_of_non_scalar_is_an_error():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(baro.constant([1.0, 2.0]))
    assert bool(baro.constant(1.0))


def test_operators_and_reflected_operators():
    x = baro.constant([1.0, 2.0])
    assert_allclose(2 - x, [1.0, 0.0])
    assert_allclose(2 / x, [2.0, 1.0])
    assert_allclose(2**x, [2.0, 4.0])
    assert_allclose(-x, [-1.0, -2.0])
    assert_allclose(abs(-x), [1.0, 2.0])
    assert_allclose(np.array([1.0, 1.0]) + x, [2.0, 3.0])
    assert_allclose(x // 1.5, [0.0, 1.0])
    assert_allclose(x % 1.5, [1.0, 0.5])
    assert (x == 1.0).tolist() == [True, False]
    assert (x >= 2.0).tolist() == [False, True]


def test_methods_bound_from_the_ops_table():
    x = baro.constant(np.arange(6.0).reshape(2, 3))
    assert x.T.shape == (3, 2)
    assert x.reshape(3, 2).shape == (3, 2)
    assert x.reshape((6,)).shape == (6,)
    assert x.transpose(1, 0).shape == (3, 2)
    assert float(x.sum()) == 15.0
    assert x.mean(axis=0).tolist() == [1.5, 2.5, 3.5]
    assert x.argmax(axis=1).tolist() == [2, 2]
    assert x.astype("int32").dtype == "int32"


def test_tensors_hash_by_identity():
    a = baro.constant([1.0])
    b = baro.constant([1.0])
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_variable_owns_a_copy_and_assigns_in_place():
    source = np.array([1.0, 2.0], dtype=np.float32)
    v = baro.Variable(source, name="w")
    source[0] = 100.0
    assert_allclose(v, [1.0, 2.0])
    buffer = v.data
    v.assign([3.0, 4.0])
    v.assign_add(baro.constant([1.0, 1.0]))
    v.assign_sub(0.5)
    assert v.data is buffer
    assert_allclose(v, [3.5, 4.5])


def test_variable_assign_shape_mismatch_names_both_shapes():
    v = baro.Variable(np.zeros((2, 3)), name="kernel")
    with pytest.raises(ValueError, match=r"kernel.*\(3, 2\).*\(2, 3\)"):
        v.assign(np.zeros((3, 2)))


def test_variable_from_initializer_callable():
    v = baro.Variable(lambda shape, dtype: np.full(shape, 0.5, dtype), shape=(2, 2))
    assert v.shape == (2, 2)
    assert v.dtype == "float32"
    with pytest.raises(ValueError, match="initial_value"):
        baro.Variable()


def test_variable_trainable_flag_controls_gradients():
    v = baro.Variable([1.0])
    assert v.trainable and v.requires_grad
    v.trainable = False
    assert not v.requires_grad
    assert not baro.Variable([1, 2]).requires_grad  # integers never need one
