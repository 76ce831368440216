"""Boston housing: 506 suburbs of Boston in the 1970s, 13 features each, and the
median house value (in k$) to predict.

From Harrison and Rubinfeld, "Hedonic prices and the demand for clean air"
(1978), via the StatLib library at Carnegie Mellon (http://lib.stat.cmu.edu/datasets/boston).

Warning: one feature, `B`, is derived from the proportion of Black residents
and encodes a racial assumption; Keras and scikit-learn discourage using this
data set except to discuss such problems. `california_housing` is the usual
replacement.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from baro.datasets.common import (
    KERAS_ORIGIN,
    check_test_split,
    local_or_download,
    npz_arrays,
    shuffle_split,
)

__all__ = ["FEATURE_NAMES", "load_data", "read_csv"]

ORIGIN = [KERAS_ORIGIN + "boston_housing.npz",
          # Keras 2's host of the same file, pinned by the same SHA-256.
          "https://s3.amazonaws.com/keras-datasets/boston_housing.npz"]
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
FEATURE_NAMES = ("crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad",
                 "tax", "ptratio", "b", "lstat")
TARGET = "medv"
# Names a folder may hold the data under, in the order they are tried.
FOLDER_NAMES = ("boston_housing.npz", "BostonHousing.csv", "boston_housing.csv",
                "housing.csv", "housing.data")


def load_data(path: str | os.PathLike = "boston_housing.npz",
              test_split: float = 0.2, seed: int = 113):
    """Loads Boston housing as `(x_train, y_train), (x_test, y_test)`.

    The rows are shuffled with `RandomState(seed)`, then the first
    `int(n * (1 - test_split))` train and the rest test (Keras's split: 404 and
    102 rows with the defaults).

    Args:
        path: A cache file name (default `"boston_housing.npz"`: downloaded and
            SHA-256-checked on first use), or a file you have (not
            hash-checked): Keras's `.npz` (keys `x`, `y`), a CSV whose header
            names the 13 features and `medv` (as `BostonHousing.csv`), a
            header-less CSV or StatLib's whitespace-separated `housing.data`
            (14 columns, the target last), or a folder holding one of these.
        test_split: Fraction of rows for the test set, in [0, 1).
        seed: Seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x float64 (n, 13) in the order
        of `FEATURE_NAMES`, y float64 (n,), median values in k$.

    Raises:
        ValueError: If `test_split` is outside [0, 1) or the file is malformed.
        FileNotFoundError: If `path` is missing, or a folder without the data.
        DownloadError: If the file is not cached and cannot be downloaded.
    """
    check_test_split(test_split)
    source = local_or_download(path, ORIGIN, SHA256)
    if source.is_dir():
        found = [source / name for name in FOLDER_NAMES if (source / name).exists()]
        if not found:
            raise FileNotFoundError(f"{source} holds none of {list(FOLDER_NAMES)}.")
        source = found[0]
    if source.suffix == ".npz":
        arrays = npz_arrays(source, ("x", "y"))
        x, y = arrays["x"], arrays["y"]
    else:
        x, y = read_csv(source)
    return shuffle_split(x, y, test_split, seed)


def read_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, 13) and target (n,) from a Boston housing text file.

    Accepts comma-separated files with or without a header (the header may
    name the columns in any order and case; `medv` is the target) and the
    original whitespace-separated `housing.data`.

    Args:
        path: The file.

    Returns:
        x float64 (n, 13) in `FEATURE_NAMES` order, y float64 (n,).

    Raises:
        ValueError: Naming the line and value that cannot be read.
    """
    lines = [line for line in Path(path).read_text(encoding="utf-8-sig")
             .splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{path} is empty.")
    if "," in lines[0]:
        rows = list(csv.reader(lines))
    else:
        rows = [line.split() for line in lines]
    columns = list(range(14))
    first = 0
    header = [name.strip().lower() for name in rows[0]]
    if not _is_number(header[0]):
        missing = [n for n in (*FEATURE_NAMES, TARGET) if n not in header]
        if missing:
            raise ValueError(f"{path}: the header {rows[0]} lacks the columns "
                             f"{missing}.")
        columns = [header.index(n) for n in (*FEATURE_NAMES, TARGET)]
        first = 1
    values = np.empty((len(rows) - first, 14))
    for i, row in enumerate(rows[first:]):
        if len(row) < len(columns) or (first == 0 and len(row) != 14):
            raise ValueError(f"{path}, line {i + first + 1}: expected 14 values, "
                             f"found {len(row)}.")
        for j, column in enumerate(columns):
            try:
                values[i, j] = float(row[column])
            except ValueError:
                raise ValueError(
                    f"{path}, line {i + first + 1}: {row[column]!r} in column "
                    f"{(*FEATURE_NAMES, TARGET)[j]!r} is not a number (fill or "
                    "drop missing values first).") from None
    return values[:, :13], values[:, 13]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
