"""The Initializer base class, shape and dtype checks, and `get` / (de)serialize."""

import json

import pytest

import baro
from baro import initializers
from baro.initializers import Initializer
from baro.initializers.initializer import float_dtype, standardize_shape

# Every name Keras's table knows (snake_case, class names, aliases) -> class.
NAMES = {
    "zeros": "Zeros", "zero": "Zeros", "ones": "Ones", "one": "Ones",
    "constant": "Constant", "identity": "Identity",
    "IdentityInitializer": "Identity", "random_normal": "RandomNormal",
    "normal": "RandomNormal", "random_uniform": "RandomUniform",
    "uniform": "RandomUniform", "truncated_normal": "TruncatedNormal",
    "variance_scaling": "VarianceScaling", "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal", "he_normal": "HeNormal",
    "he_uniform": "HeUniform", "lecun_normal": "LecunNormal",
    "lecun_uniform": "LecunUniform", "orthogonal": "Orthogonal",
    "orthogonal_initializer": "Orthogonal", "OrthogonalInitializer": "Orthogonal",
    "GlorotUniform": "GlorotUniform", "HeNormal": "HeNormal",
}


def test_base_call_must_be_implemented():
    with pytest.raises(NotImplementedError, match="Initializer must implement"):
        Initializer()((2,))


def test_base_config_clone_and_subclass():
    class Twos(Initializer):
        def __call__(self, shape, dtype=None):
            return baro.ops.fill(shape, 2.0, dtype or "float32")

    init = Twos()
    assert init.get_config() == {}
    assert isinstance(init.clone(), Twos) and init.clone() is not init
    assert init((2,)).numpy().tolist() == [2.0, 2.0]


def test_shape_is_checked():
    assert standardize_shape((2, 3), "X") == (2, 3)
    assert standardize_shape(4, "X") == (4,)
    assert standardize_shape([], "X") == ()
    for bad in [(2, -1), (2.5,), (True,), ("a",)]:
        with pytest.raises(ValueError, match=r"Zeros: shape must be a tuple"):
            initializers.Zeros()(bad)


def test_random_initializers_need_float_dtypes():
    assert float_dtype(None, "X") == "float32"
    with pytest.raises(ValueError, match=r"RandomNormal .*float dtype.*'int32'"):
        initializers.RandomNormal()((2,), dtype="int32")


@pytest.mark.parametrize("name,cls", sorted(NAMES.items()))
def test_get_returns_new_instances_by_name(name, cls):
    first = initializers.get(name)
    assert type(first).__name__ == cls
    assert initializers.get(name) is not first


def test_get_passes_instances_classes_dicts_and_none():
    init = initializers.HeNormal(seed=3)
    assert initializers.get(init) is init
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    rebuilt = initializers.get({"class_name": "RandomUniform",
                                "config": {"minval": -1.0, "maxval": 2.0,
                                           "seed": 4}})
    assert rebuilt.get_config() == {"minval": -1.0, "maxval": 2.0, "seed": 4}
    assert initializers.get(None) is None

    def my_init(shape, dtype=None):
        return baro.ops.zeros(shape, dtype)

    assert initializers.get(my_init) is my_init


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot'.*"
                                         r"glorot_normal, glorot_uniform"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="Could not interpret initializer"):
        initializers.get(1.5)
    with pytest.raises(ValueError, match="Unknown initializer class 'Nope'"):
        initializers.deserialize({"class_name": "Nope", "config": {}})


def test_snake_case_module_attributes_are_the_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.he_normal is initializers.HeNormal
    assert initializers.OrthogonalInitializer is initializers.Orthogonal
    assert initializers.IdentityInitializer is initializers.Identity


@pytest.mark.parametrize("name", sorted(set(NAMES.values())))
def test_every_class_round_trips_through_json(name):
    init = initializers.get(name)
    saved = json.loads(json.dumps(initializers.serialize(init)))
    rebuilt = initializers.deserialize(saved)
    assert type(rebuilt) is type(init)
    assert rebuilt.get_config() == init.get_config()
