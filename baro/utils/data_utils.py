"""Splitting in-memory datasets: Keras's `split_dataset` and a train/test split.

Both work on NumPy arrays (or anything `np.asarray` accepts) and return arrays;
all arrays of one dataset are indexed by the same sample order.
"""

from __future__ import annotations

import math
import random

import numpy as np


def _as_structure(dataset, caller: str):
    """A flat list of arrays and a function putting results back in shape."""
    if isinstance(dataset, dict):
        keys = list(dataset)
        arrays = [np.asarray(dataset[k]) for k in keys]
        return arrays, lambda parts: dict(zip(keys, parts, strict=True))
    # Keras: a tuple, or a list of NumPy arrays, is several arrays ((x, y));
    # any other list is the data of one array.
    if isinstance(dataset, tuple) or isinstance(dataset, list) and dataset and \
            all(isinstance(a, np.ndarray) for a in dataset):
        arrays = [np.asarray(a) for a in dataset]
        return arrays, tuple
    array = np.asarray(dataset)
    if array.ndim == 0:
        raise TypeError(
            f"{caller} expects an array, a tuple/list of arrays or a dict of "
            f"arrays, received {type(dataset).__name__} {dataset!r}.")
    return [array], lambda parts: parts[0]


def _common_length(arrays, caller: str) -> int:
    if not arrays:
        raise ValueError(f"{caller} received an empty tuple of arrays.")
    lengths = [len(a) if a.ndim else None for a in arrays]
    if None in lengths or len(set(lengths)) != 1:
        shapes = [a.shape for a in arrays]
        raise ValueError(
            f"{caller}: every array must have the same number of samples "
            f"(first axis); received shapes {shapes}.")
    if lengths[0] == 0:
        raise ValueError(f"{caller} received an empty dataset (0 samples).")
    return lengths[0]


def _split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Keras's size rules: an int is a count in (0, total), a float a fraction
    in (0, 1) rounded with Python's round(); None is the complement."""
    # NumPy scalars count as Python numbers (Keras would reject them).
    left_size, right_size = (s.item() if isinstance(s, np.generic) else s
                             for s in (left_size, right_size))
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(
                f"split_dataset: {name} must be an int, a float or None, "
                f"received {size!r} of type {type(size).__name__}.")
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: give left_size or right_size (or both); "
                         "received left_size=None and right_size=None.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if isinstance(size, int) and not 0 < size < total or \
                isinstance(size, float) and not 0 < size < 1:
            raise ValueError(
                f"split_dataset: {name} must be a positive integer smaller than "
                f"the dataset's length {total}, or a float in (0, 1); received "
                f"{name}={size}.")
    if isinstance(left_size, float) and isinstance(right_size, float) and \
            left_size + right_size > 1:
        raise ValueError(
            f"split_dataset: left_size + right_size = {left_size + right_size} "
            "is greater than 1.")
    left = round(left_size * total) if isinstance(left_size, float) else left_size
    right = round(right_size * total) if isinstance(right_size, float) else \
        right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"split_dataset: left_size + right_size = {left + right} samples is "
            f"more than the dataset's {total}.")
    for side, size in (("left", left), ("right", right)):
        if size == 0:
            raise ValueError(
                f"split_dataset: with {total} samples, left_size={left_size} and "
                f"right_size={right_size} leave the {side} split empty; "
                "increase it.")
    return int(left), int(right)


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False,
                  seed: int | None = None):
    """Splits a dataset into a left part and a right part (e.g. train / test).

    Keras 3's `keras.utils.split_dataset` for in-memory data: the left part
    takes the first `left_size` samples and the right part the last
    `right_size` (samples in between, if the sizes do not add up to the
    whole, are left out). Where Keras returns `tf.data.Dataset`s, baro returns
    the arrays themselves, in the structure received.

    Args:
        dataset: A NumPy array, a tuple or list of arrays with the same first
            dimension (e.g. `(x, y)`), or a dict of such arrays.
        left_size: A float in (0, 1): the fraction of samples for the left
            part (rounded as Python's `round`); an int: the number of samples;
            None: the complement of `right_size`.
        right_size: The same for the right part.
        shuffle: Shuffle the samples before splitting. With the same seed the
            sample order equals Keras's (`random.seed(seed)` then
            `random.shuffle`), without touching Python's global random state.
        seed: Seed of the shuffle; None draws one from Python's `random`
            (seeded by `baro.utils.set_random_seed`).

    Returns:
        `(left, right)`, each with the structure of `dataset`: an array, a
        tuple of arrays, or a dict of arrays.

    Raises:
        TypeError: For sizes that are neither int, float nor None, or a
            dataset that is not array-like.
        ValueError: For sizes out of range, both None, adding up to more than
            the dataset, or leaving a part empty; arrays of different lengths.

    Example:
        >>> import numpy as np
        >>> from baro.utils.data_utils import split_dataset
        >>> x, y = np.arange(20).reshape(10, 2), np.arange(10)
        >>> (x_left, y_left), (x_right, y_right) = split_dataset((x, y), 0.8)
        >>> x_left.shape, y_right.tolist()
        ((8, 2), [8, 9])
    """
    arrays, rebuild = _as_structure(dataset, "split_dataset")
    total = _common_length(arrays, "split_dataset")
    left, right = _split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    order = np.asarray(order, dtype=np.int64)
    left_index, right_index = order[:left], order[total - right:]
    return (rebuild([a[left_index] for a in arrays]),
            rebuild([a[right_index] for a in arrays]))


def train_test_split(*arrays, test_size: float | int = 0.25, shuffle: bool = True,
                     seed: int | None = None) -> list[np.ndarray]:
    """Splits arrays into random train and test subsets (baro's convenience,
    shaped like scikit-learn's function of the same name).

    Args:
        *arrays: One or more arrays with the same number of samples (first
            axis), e.g. `x, y`.
        test_size: A float in (0, 1): the fraction of samples in the test
            set, rounded up; an int: the number of test samples. Default 0.25.
        shuffle: Shuffle before splitting (default True); if False the test
            set is the last `test_size` samples.
        seed: Seed of the shuffle; None draws one from NumPy's global
            generator (seeded by `baro.utils.set_random_seed`).

    Returns:
        A list `[a_train, a_test, b_train, b_test, ...]`, two arrays per input.

    Raises:
        ValueError: For no arrays, arrays of different lengths, or a test size
            that leaves the train or the test set empty.

    Example:
        >>> import numpy as np
        >>> from baro.utils.data_utils import train_test_split
        >>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
        >>> x_train, x_test, y_train, y_test = train_test_split(
        ...     x, y, test_size=2, shuffle=False)
        >>> y_train.tolist(), y_test.tolist()
        ([0, 1, 2], [3, 4])
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array, e.g. "
                         "train_test_split(x, y).")
    arrays = [np.asarray(a) for a in arrays]
    total = _common_length(arrays, "train_test_split")
    if isinstance(test_size, bool) or not isinstance(
            test_size, (int, float, np.integer, np.floating)):
        raise ValueError(f"train_test_split: test_size must be an int or a float, "
                         f"received {test_size!r}.")
    if isinstance(test_size, (float, np.floating)):
        if not 0 < test_size < 1:
            raise ValueError(f"train_test_split: a float test_size must lie in "
                             f"(0, 1), received {test_size}.")
        n_test = math.ceil(float(test_size) * total)
    else:
        n_test = int(test_size)
    if not 0 < n_test < total:
        raise ValueError(
            f"train_test_split: test_size={test_size} gives {n_test} test "
            f"samples out of {total}; both sets must be non-empty.")
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        order = np.random.default_rng(seed).permutation(total)
    else:
        order = np.arange(total)
    train_index, test_index = order[:total - n_test], order[total - n_test:]
    result = []
    for a in arrays:
        result += [a[train_index], a[test_index]]
    return result
