"""Backend configuration, array conversion and seeded randomness."""

import numpy as np
import pytest

import baro
from baro import backend


def test_defaults():
    assert backend.floatx() == "float32"
    assert backend.epsilon() == 1e-7
    assert backend.backend() == "numpy"
    assert backend.xp() is np


def test_set_floatx_validates():
    backend.set_floatx(np.float64)
    assert backend.floatx() == "float64"
    with pytest.raises(ValueError, match="float16"):
        backend.set_floatx("int32")


def test_set_backend_validates():
    with pytest.raises(ValueError, match="numpy"):
        backend.set_backend("jax")


def test_standardize_dtype_accepts_names_types_and_tf_style():
    assert backend.standardize_dtype(np.float32) == "float32"
    assert backend.standardize_dtype("float") == "float32"
    assert backend.standardize_dtype(baro.int64) == "int64"
    with pytest.raises(TypeError, match="dtype"):
        backend.standardize_dtype("not-a-dtype")


def test_set_random_seed_makes_draws_reproducible():
    baro.utils.set_random_seed(42)
    a = baro.random.normal((3,)).numpy()
    n = np.random.rand()
    baro.utils.set_random_seed(42)
    assert np.array_equal(a, baro.random.normal((3,)).numpy())
    assert n == np.random.rand()
    assert baro.utils.get_random_seed() == 42
    with pytest.raises(TypeError, match="integer"):
        baro.utils.set_random_seed(1.5)


def test_int_seed_is_stateless_and_seed_generator_advances():
    a = baro.random.uniform((4,), seed=1).numpy()
    assert np.array_equal(a, baro.random.uniform((4,), seed=1).numpy())
    gen = baro.random.SeedGenerator(1)
    first = baro.random.uniform((4,), seed=gen).numpy()
    assert not np.array_equal(first, baro.random.uniform((4,), seed=gen).numpy())


def test_random_draws_have_the_requested_dtype_and_range():
    u = baro.random.uniform((1000,), minval=2.0, maxval=3.0)
    assert u.dtype == "float32"
    assert 2.0 <= float(baro.reduce_min(u)) and float(baro.reduce_max(u)) < 3.0
    t = baro.random.truncated_normal((1000,), stddev=1.0).numpy()
    assert np.abs(t).max() <= 2.0
    ints = baro.random.uniform((100,), 0, 5, dtype="int32").numpy()
    assert ints.dtype == np.int32 and ints.min() >= 0 and ints.max() < 5
