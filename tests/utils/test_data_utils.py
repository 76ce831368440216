"""split_dataset (Keras 3 rules, arrays out) and train_test_split."""

import random

import numpy as np
import pytest

from baro.utils.data_utils import split_dataset, train_test_split


def test_keras_doc_example_fraction():
    data = np.random.default_rng(0).random((1000, 4))
    left, right = split_dataset(data, left_size=0.8)
    assert left.shape == (800, 4) and right.shape == (200, 4)
    assert np.array_equal(left, data[:800]) and np.array_equal(right, data[800:])


def test_tuple_keeps_pairs_and_structure():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    (xl, yl), (xr, yr) = split_dataset((x, y), right_size=3)
    assert xl.shape == (7, 2) and yr.tolist() == [7, 8, 9]
    assert np.array_equal(xl[:, 0] // 2, yl)
    # A list of arrays comes back as tuples, as Keras restores it.
    left, right = split_dataset([x, y], left_size=2)
    assert isinstance(left, tuple) and left[1].tolist() == [0, 1]
    assert right[1].tolist() == list(range(2, 10))


def test_dict_of_arrays():
    data = {"a": np.arange(6), "b": np.arange(6) * 10}
    left, right = split_dataset(data, left_size=4)
    assert left["a"].tolist() == [0, 1, 2, 3] and right["b"].tolist() == [40, 50]


def test_sizes_that_do_not_cover_everything_skip_the_middle():
    left, right = split_dataset(np.arange(10), left_size=3, right_size=0.2)
    assert left.tolist() == [0, 1, 2] and right.tolist() == [8, 9]


def test_fractions_round_like_python():
    # round(2.5) == 2 (banker's rounding), as in Keras.
    left, right = split_dataset(np.arange(10), left_size=0.25)
    assert len(left) == 2 and len(right) == 8


def test_shuffle_matches_keras_order_and_leaves_global_random_alone():
    n, seed = 50, 42
    expected = list(range(n))
    random.seed(seed)  # what Keras does
    random.shuffle(expected)
    state = random.getstate()
    left, right = split_dataset(np.arange(n), left_size=0.6, shuffle=True, seed=seed)
    assert left.tolist() == expected[:30] and right.tolist() == expected[30:]
    assert random.getstate() == state
    again = split_dataset(np.arange(n), left_size=0.6, shuffle=True, seed=seed)
    assert np.array_equal(again[0], left)


def test_numpy_scalar_sizes_are_accepted():
    left, _ = split_dataset(np.arange(10), left_size=np.float64(0.3))
    assert len(left) == 3


@pytest.mark.parametrize("left, right, error, match", [
    (None, None, ValueError, "left_size or right_size"),
    (0, None, ValueError, "positive integer"),
    (10, None, ValueError, "smaller than"),
    (1.0, None, ValueError, "float in"),
    (None, -0.5, ValueError, "right_size"),
    (0.7, 0.5, ValueError, "greater than 1"),
    (6, 5, ValueError, "more than"),
    (0.01, None, ValueError, "left split empty"),
    ("0.5", None, TypeError, "int, a float or None"),
    (True, None, TypeError, "int, a float or None"),
])
def test_invalid_sizes(left, right, error, match):
    with pytest.raises(error, match=match):
        split_dataset(np.arange(10), left_size=left, right_size=right)


def test_mismatched_lengths_and_scalars():
    with pytest.raises(ValueError, match="same number of samples"):
        split_dataset((np.arange(5), np.arange(4)), left_size=0.5)
    with pytest.raises(TypeError, match="expects an array"):
        split_dataset(3.0, left_size=0.5)


def test_train_test_split_sizes_alignment_and_determinism():
    x = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, seed=0)
    assert len(x_test) == 6 and len(x_train) == 14
    assert np.array_equal(x_train[:, 0] // 2, y_train)
    assert np.array_equal(x_test[:, 0] // 2, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    again = train_test_split(x, y, test_size=0.3, seed=0)
    assert np.array_equal(again[3], y_test)
    other = train_test_split(x, y, test_size=0.3, seed=1)
    assert not np.array_equal(other[3], y_test)


def test_train_test_split_rounds_the_test_fraction_up_and_can_keep_order():
    y = np.arange(10)
    y_train, y_test = train_test_split(y, test_size=0.25, shuffle=False)
    assert y_test.tolist() == [7, 8, 9] and y_train.tolist() == list(range(7))
    y_train, y_test = train_test_split(y, test_size=4, shuffle=False)
    assert y_test.tolist() == [6, 7, 8, 9]


@pytest.mark.parametrize("kwargs, match", [
    ({"test_size": 0.0}, r"in \(0, 1\)"),
    ({"test_size": 10}, "both sets must be non-empty"),
    ({"test_size": 0}, "both sets must be non-empty"),
    ({"test_size": "a"}, "int or a float"),
])
def test_train_test_split_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(np.arange(10), **kwargs)


def test_train_test_split_needs_arrays_of_one_length():
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()
    with pytest.raises(ValueError, match="same number of samples"):
        train_test_split(np.arange(3), np.arange(4))
