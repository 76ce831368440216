"""The toy generators: shapes, dtypes, geometry, and seeded determinism."""

import numpy as np
import pytest

from baro.datasets.embedded import (
    make_blobs,
    make_moons,
    make_sine,
    make_spirals,
    make_xor,
)
from baro.utils import set_random_seed

GENERATORS = [
    (make_xor, {"n": 50, "noise": 0.1}),
    (make_sine, {}),
    (make_moons, {}),
    (make_spirals, {"classes": 3}),
    (make_blobs, {}),
]


@pytest.mark.parametrize("make, kwargs", GENERATORS,
                         ids=[g[0].__name__ for g in GENERATORS])
def test_same_seed_same_data_other_seed_other_data(make, kwargs):
    x1, y1 = make(**kwargs, seed=3)
    x2, y2 = make(**kwargs, seed=3)
    x3, y3 = make(**kwargs, seed=4)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not (np.array_equal(x1, x3) and np.array_equal(y1, y3))
    assert x1.dtype == np.float32


@pytest.mark.parametrize("make, kwargs", GENERATORS,
                         ids=[g[0].__name__ for g in GENERATORS])
def test_seed_none_follows_set_random_seed(make, kwargs):
    set_random_seed(7)
    first = make(**kwargs, seed=None)
    set_random_seed(7)
    second = make(**kwargs, seed=None)
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])


def test_xor_truth_table_and_noisy_variant():
    x, y = make_xor()
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.shape == (4, 1) and y.dtype == np.float32
    assert y[:, 0].tolist() == [0, 1, 1, 0]
    x, y = make_xor(400, noise=0.05)
    assert x.shape == (400, 2) and y.shape == (400, 1)
    # Each point lies near a corner whose XOR is its label.
    corner = np.round(x)
    assert np.array_equal((corner[:, 0] != corner[:, 1]).astype(np.float32), y[:, 0])
    assert 0.0 < np.abs(x - corner).max() < 0.5


def test_sine_samples_one_period():
    x, y = make_sine(100, noise=0.0)
    assert x.shape == y.shape == (100, 1) and y.dtype == np.float32
    assert x[0, 0] == 0.0 and x[-1, 0] == pytest.approx(2 * np.pi)
    np.testing.assert_allclose(y, np.sin(x), atol=1e-6)
    _, noisy = make_sine(2000, noise=0.1)
    x, _ = make_sine(2000, noise=0.0)
    assert np.std(noisy - np.sin(x)) == pytest.approx(0.1, rel=0.1)


def test_moons_geometry_without_noise():
    x, y = make_moons(101, noise=0.0)
    assert x.shape == (101, 2) and y.dtype == np.int32
    assert np.bincount(y).tolist() == [50, 51]
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1,
                               atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()
    assert len(np.unique(y[:10])) == 2  # shuffled, not sorted by class


def test_spirals_split_points_over_arms_inside_the_unit_disc():
    x, y = make_spirals(301, noise=0.2, classes=3)
    assert x.shape == (301, 2) and y.dtype == np.int32
    assert np.bincount(y).tolist() == [101, 100, 100]
    # The noise moves the angle only, so every point stays in the unit disc.
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 1.0 + 1e-6


def test_spiral_arms_are_rotated_copies():
    x, y = make_spirals(200, noise=0.0, classes=2)
    first, second = x[y == 0], x[y == 1]
    order0 = np.argsort(np.hypot(*first.T))
    order1 = np.argsort(np.hypot(*second.T))
    # Arm 1 is arm 0 turned by pi: the same points with both signs flipped.
    np.testing.assert_allclose(first[order0], -second[order1], atol=1e-5)


def test_blobs_cluster_around_their_centres():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x, y = make_blobs(3000, centers=centres, cluster_std=0.5)
    assert np.bincount(y).tolist() == [1000] * 3
    for k, centre in enumerate(centres):
        np.testing.assert_allclose(x[y == k].mean(0), centre, atol=0.1)
        assert (x[y == k] - centre).std() == pytest.approx(0.5, rel=0.1)
    x, y = make_blobs(10, centers=4)
    assert x.shape == (10, 2) and np.bincount(y).tolist() == [3, 3, 2, 2]


@pytest.mark.parametrize("call, match", [
    (lambda: make_xor(0), "n must be"),
    (lambda: make_xor(noise=-1.0), "noise"),
    (lambda: make_sine(1), "n must be"),
    (lambda: make_moons(10, noise=float("nan")), "noise"),
    (lambda: make_spirals(1, classes=2), "n must be"),
    (lambda: make_spirals(10, classes=1), "classes"),
    (lambda: make_blobs(2, centers=3), "n must be"),
    (lambda: make_blobs(10, centers=[1.0, 2.0]), "centers"),
])
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
