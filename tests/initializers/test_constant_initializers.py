"""Zeros, Ones, Constant, Identity: values, dtypes, shapes, configs."""

import json

import numpy as np
import pytest

import baro
from baro.initializers import Constant, Identity, Ones, Zeros


@pytest.mark.parametrize("cls,fill", [(Zeros, 0), (Ones, 1), (Constant, 0)])
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "bool"])
def test_fills_with_the_requested_dtype(cls, fill, dtype):
    w = cls()((2, 3), dtype=dtype)
    assert isinstance(w, baro.Tensor)
    assert w.shape == (2, 3)
    assert w.dtype == (dtype or "float32")
    assert (w.numpy() == fill).all()


def test_default_dtype_follows_floatx():
    baro.backend.set_floatx("float64")
    assert Ones()((2,)).dtype == "float64"
    assert Constant(1.5)((2,)).dtype == "float64"


def test_scalar_and_empty_shapes():
    assert Zeros()(()).shape == ()
    assert Ones()((0, 3)).shape == (0, 3)


def test_constant_values_and_broadcasting():
    assert Constant(10.0)((2, 2)).numpy().tolist() == [[10.0, 10.0]] * 2
    assert Constant(2.7)((3,), dtype="int32").numpy().tolist() == [2, 2, 2]
    row = Constant([1.0, 2.0, 3.0])((2, 3)).numpy()
    assert row.tolist() == [[1.0, 2.0, 3.0]] * 2
    with pytest.raises(ValueError, match=r"Constant: value of shape \(3,\) "
                                         r"cannot fill .*\(2, 2\)"):
        Constant([1.0, 2.0, 3.0])((2, 2))


def test_constant_result_owns_its_buffer():
    value = np.zeros(3, dtype=np.float32)
    w = Constant(value)((3,))
    w.data[0] = 5.0
    assert value[0] == 0.0


def test_constant_config_is_json_ready_for_arrays_and_tensors():
    for value in [np.array([1.0, 2.0]), baro.Tensor([1.0, 2.0])]:
        config = Constant(value).get_config()
        assert json.loads(json.dumps(config)) == {"value": [1.0, 2.0]}
        rebuilt = Constant.from_config(config)
        assert rebuilt((2,)).numpy().tolist() == [1.0, 2.0]


def test_identity_square_rectangular_and_gain():
    assert Identity()((3, 3)).numpy().tolist() == np.eye(3).tolist()
    assert Identity(gain=0.5)((2, 3)).numpy().tolist() == \
        (0.5 * np.eye(2, 3)).tolist()
    w = Identity(gain=3.0)((3, 2), dtype="float64")
    assert w.dtype == "float64"
    assert w.numpy().tolist() == (3.0 * np.eye(3, 2)).tolist()


def test_identity_needs_a_matrix():
    with pytest.raises(ValueError, match=r"Identity initializer needs a 2-D "
                                         r"shape, received shape=\(2, 2, 2\)"):
        Identity()((2, 2, 2))


def test_identity_is_saved_under_its_keras_alias():
    saved = baro.initializers.serialize(Identity(gain=2.0))
    assert saved == {"module": "initializers", "class_name": "IdentityInitializer",
                     "config": {"gain": 2.0}}
    assert baro.saving.deserialize(saved).gain == 2.0
    assert baro.initializers.deserialize(
        {"class_name": "Identity", "config": {"gain": 2.0}}).gain == 2.0


def test_repr_shows_the_config():
    assert repr(Constant(3.0)) == "Constant(value=3.0)"
    assert repr(Zeros()) == "Zeros()"
