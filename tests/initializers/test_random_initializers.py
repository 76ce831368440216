"""Random initializers: statistics of large draws against the formulas, fans,
seed semantics (Keras 3), orthogonality, configs."""

import math

import numpy as np
import pytest

import baro
from baro import initializers
from baro.backend import SeedGenerator
from baro.initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)

N = 200_000  # draws per statistics test: the mean's std error is std / 447
# Standard deviation of N(0, 1) truncated to [-2, 2], computed from its formula:
# var = 1 - 4 phi(2) / (2 Phi(2) - 1).
_PHI2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
TRUNC_STD = math.sqrt(1 - 4 * _PHI2 / math.erf(2 / math.sqrt(2)))


def check_moments(w, mean, std):
    """Sample mean and std within 6 standard errors of the formula."""
    w = w.numpy().astype(np.float64).ravel()
    n = w.size
    assert abs(w.mean() - mean) < 6 * std / math.sqrt(n)
    # The std of a sample std is about std / sqrt(2 n) (exact for normals,
    # within a factor 1.3 for uniforms and truncated normals).
    assert abs(w.std() - std) < 8 * std / math.sqrt(2 * n)


def test_truncated_std_constant_matches_keras():
    assert TRUNC_STD == pytest.approx(0.87962566103423978, rel=1e-12)


@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((3, 5), (3, 5)),
    ((4, 3, 5), (12, 20)),          # Conv1D kernel (width, in, out)
    ((3, 3, 16, 32), (144, 288)),   # Conv2D kernel
    ((2, 2, 2, 4, 6), (32, 48)),    # Conv3D kernel
])
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


def test_random_normal_moments():
    check_moments(RandomNormal(mean=0.3, stddev=2.0)((N,)), 0.3, 2.0)


def test_random_uniform_bounds_and_moments():
    w = RandomUniform(minval=-1.0, maxval=3.0)((N,))
    data = w.numpy()
    assert data.min() >= -1.0 and data.max() < 3.0
    check_moments(w, 1.0, 4.0 / math.sqrt(12))


def test_truncated_normal_bounds_and_moments():
    w = TruncatedNormal(mean=1.0, stddev=0.5)((N,))
    assert np.abs(w.numpy() - 1.0).max() <= 2 * 0.5 + 1e-6
    check_moments(w, 1.0, 0.5 * TRUNC_STD)


def test_default_arguments_are_keras():
    assert RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05,
                                            "seed": None}
    assert TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05,
                                              "seed": None}
    assert VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal",
        "seed": None}
    assert Orthogonal().get_config() == {"gain": 1.0, "seed": None}


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution",
                         ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("shape", [(400, 500), (5, 5, 40, 80)])
def test_variance_scaling_draws_have_variance_scale_over_n(mode, distribution,
                                                           shape):
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
    std = math.sqrt(2.5 / n[mode])
    w = VarianceScaling(2.5, mode, distribution, seed=7)(shape)
    assert w.shape == shape and w.dtype == "float32"
    check_moments(w, 0.0, std)
    bound = {"truncated_normal": 2 * std / TRUNC_STD, "uniform": std * math.sqrt(3)}
    if distribution in bound:
        assert np.abs(w.numpy()).max() <= bound[distribution] * (1 + 1e-6)


def test_variance_scaling_uses_at_least_one_unit():
    # A zero fan must not divide by zero: n is clipped to 1, as in Keras.
    w = VarianceScaling(1.0, "fan_in", "uniform", seed=0)((0, 5))
    assert w.shape == (0, 5)
    scalar = VarianceScaling(9.0, "fan_in", "uniform", seed=1)(())
    assert abs(float(scalar)) <= math.sqrt(27.0)


def test_variance_scaling_normal_means_truncated_normal():
    assert VarianceScaling(distribution="Normal").distribution == "truncated_normal"


@pytest.mark.parametrize("kwargs,message", [
    ({"scale": 0.0}, r"VarianceScaling: scale must be a positive float.*0.0"),
    ({"scale": -1.0}, r"scale must be a positive"),
    ({"mode": "fan_mid"}, r"mode must be one of .*'fan_mid'"),
    ({"distribution": "cauchy"}, r"distribution must be one of .*'cauchy'"),
])
def test_variance_scaling_validates_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        VarianceScaling(**kwargs)


PRESETS = [  # class, scale, mode, distribution
    (GlorotUniform, 1.0, "fan_avg", "uniform"),
    (GlorotNormal, 1.0, "fan_avg", "truncated_normal"),
    (HeNormal, 2.0, "fan_in", "truncated_normal"),
    (HeUniform, 2.0, "fan_in", "uniform"),
    (LecunNormal, 1.0, "fan_in", "truncated_normal"),
    (LecunUniform, 1.0, "fan_in", "uniform"),
]


@pytest.mark.parametrize("cls,scale,mode,distribution", PRESETS)
def test_presets_equal_their_variance_scaling(cls, scale, mode, distribution):
    shape = (3, 3, 8, 16)
    expected = VarianceScaling(scale, mode, distribution, seed=11)(shape)
    assert (cls(seed=11)(shape).numpy() == expected.numpy()).all()
    assert cls(seed=11).get_config() == {"seed": 11}
    assert cls.from_config({"seed": 11}).seed == 11


def test_glorot_uniform_and_he_normal_closed_forms():
    fan_in, fan_out = 300, 700
    w = GlorotUniform(seed=0)((fan_in, fan_out)).numpy()
    limit = math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    h = HeNormal(seed=0)((fan_in, fan_out))
    check_moments(h, 0.0, math.sqrt(2 / fan_in))


def test_int_seed_repeats_across_calls_and_instances():
    a = RandomNormal(seed=5)((3, 4)).numpy()
    assert (RandomNormal(seed=5)((3, 4)).numpy() == a).all()
    init = RandomNormal(seed=5)
    assert (init((3, 4)).numpy() == init((3, 4)).numpy()).all()
    assert not (RandomNormal(seed=6)((3, 4)).numpy() == a).all()


def test_unseeded_instance_repeats_its_values_like_keras3():
    # Keras 3 draws a seed when an unseeded initializer is built: the same
    # instance then returns the same values on every call.
    init = GlorotUniform()
    first = init((4, 4)).numpy()
    assert (init((4, 4)).numpy() == first).all()
    assert not (GlorotUniform()((4, 4)).numpy() == first).all()
    assert init.get_config() == {"seed": None}


def test_unseeded_draws_are_reproducible_under_set_random_seed():
    baro.utils.set_random_seed(42)
    a = [HeNormal()((3, 3)).numpy() for _ in range(2)]
    baro.utils.set_random_seed(42)
    b = [HeNormal()((3, 3)).numpy() for _ in range(2)]
    assert all((x == y).all() for x, y in zip(a, b, strict=True))
    assert not (a[0] == a[1]).all()


def test_seed_generator_gives_new_values_each_call():
    init = RandomUniform(seed=SeedGenerator(3))
    assert not (init((5,)).numpy() == init((5,)).numpy()).all()
    assert init.get_config()["seed"] == 3


def test_clone_redraws_only_unseeded():
    seeded = TruncatedNormal(seed=2)
    assert (seeded.clone()((6,)).numpy() == seeded((6,)).numpy()).all()
    unseeded = TruncatedNormal()
    assert not (unseeded.clone()((6,)).numpy() == unseeded((6,)).numpy()).all()


@pytest.mark.parametrize("seed", ["1", 1.5, True, [1]])
def test_bad_seed_is_rejected(seed):
    with pytest.raises(ValueError, match=r"RandomNormal: seed must be None, an int"):
        RandomNormal(seed=seed)


@pytest.mark.parametrize("cls", [RandomNormal, RandomUniform, TruncatedNormal,
                                 VarianceScaling, GlorotUniform, Orthogonal])
def test_dtype_default_floatx_and_float64(cls):
    assert cls(seed=1)((4, 4)).dtype == "float32"
    assert cls(seed=1)((4, 4), dtype="float64").dtype == "float64"
    baro.backend.set_floatx("float64")
    assert cls(seed=1)((4, 4)).dtype == "float64"


@pytest.mark.parametrize("shape", [(5, 5), (8, 3), (3, 8), (3, 3, 4, 8),
                                   (2, 2, 4, 8)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = Orthogonal(gain=1.0, seed=0)(shape)
    assert w.shape == shape and w.dtype == "float32"
    flat = w.numpy().astype(np.float64).reshape(-1, shape[-1])
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-6)


def test_orthogonal_gain_and_seed():
    base = Orthogonal(seed=3)((6, 6)).numpy()
    scaled = Orthogonal(gain=2.5, seed=3)((6, 6)).numpy()
    np.testing.assert_allclose(scaled, 2.5 * base, rtol=1e-6)
    assert Orthogonal(gain=2.5, seed=3).get_config() == {"gain": 2.5, "seed": 3}


def test_orthogonal_draws_are_spread_over_signs():
    # The sign(diag(R)) fix makes Q's first column's first entry symmetric
    # around zero; without it QR conventions bias it to one sign.
    signs = [np.sign(Orthogonal(seed=s)((4, 4)).numpy()[0, 0]) for s in range(40)]
    assert 5 < sum(s > 0 for s in signs) < 35


def test_orthogonal_needs_rank_two():
    with pytest.raises(ValueError, match=r"Orthogonal initializer needs a shape "
                                         r"of rank >= 2, received shape=\(4,\)"):
        Orthogonal()((4,))


def test_registered_names_resolve_through_the_saving_registry():
    config = initializers.serialize(HeUniform(seed=9))
    assert config == {"module": "initializers", "class_name": "HeUniform",
                      "config": {"seed": 9}}
    rebuilt = baro.saving.deserialize(config)
    assert (rebuilt((3, 3)).numpy() == HeUniform(seed=9)((3, 3)).numpy()).all()
