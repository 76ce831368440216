"""What every loader shares: a user's file or the cache's copy, the npz keys a
format must hold, and Keras's seeded shuffle-then-split."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from baro.datasets.safe_pickle import load_npz
from baro.utils.file_utils import get_file

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def local_or_download(path, origin: str | list[str], file_hash: str | None,
                      cache_subdir: str = "datasets") -> Path:
    """An existing file or folder as given (not hash-checked), else the cache's
    copy of the file named `path`, downloaded and hash-checked if needed.

    Args:
        path: A file or folder the user has, or a bare cache file name.
        origin: URL or list of URLs (mirrors) of the canonical file.
        file_hash: Its pinned hash (SHA-256; MD5 for legacy files).
        cache_subdir: Folder under `$BARO_HOME`.

    Returns:
        The path to read.

    Raises:
        FileNotFoundError: If `path` names a folder or file that does not exist.
        DownloadError: If the file is neither cached nor downloadable.
    """
    name = os.path.expanduser(os.fspath(path))
    if os.path.exists(name):
        return Path(name)
    if os.sep in name or (os.altsep and os.altsep in name):
        raise FileNotFoundError(
            f"No file or folder at {name}. Pass an existing path, or a bare file "
            "name (such as the default) to use the download cache.")
    return Path(get_file(name, origin=origin, file_hash=file_hash,
                         cache_subdir=cache_subdir))


def npz_arrays(path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The arrays `keys` of an `.npz` file, loaded without unsafe pickles.

    Raises:
        ValueError: Naming the keys that are missing and the ones present.
    """
    arrays = load_npz(path)
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(f"{path} lacks the arrays {missing}; it holds "
                         f"{sorted(arrays)}. Expected Keras's keys {list(keys)}.")
    return {key: arrays[key] for key in keys}


def check_test_split(test_split: float) -> None:
    """Raises ValueError unless `0 <= test_split < 1`."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1); received {test_split}.")


def keras_shuffle(n: int, seed: int) -> np.ndarray:
    """The permutation Keras's loaders draw: `RandomState(seed).shuffle(arange)`.

    Example:
        >>> keras_shuffle(5, 113).tolist() == keras_shuffle(5, 113).tolist()
        True
    """
    indices = np.arange(n)
    np.random.RandomState(seed).shuffle(indices)
    return indices


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int):
    """Keras's split: shuffle with `seed`, then the first
    `int(n * (1 - test_split))` rows train and the rest test.

    Args:
        x: Features, one row per sample.
        y: Targets, one per sample.
        test_split: Fraction for the test set, in [0, 1).
        seed: Seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`.

    Example:
        >>> (x_train, _), (x_test, _) = shuffle_split(
        ...     np.arange(10), np.arange(10), 0.2, 113)
        >>> len(x_train), len(x_test)
        (8, 2)
    """
    check_test_split(test_split)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}.")
    indices = keras_shuffle(len(x), seed)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
