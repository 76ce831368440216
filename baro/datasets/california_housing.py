"""California housing: 20,640 census block groups of 1990, 8 features each, and
the median house value (in dollars) to predict.

From Pace and Barry, "Sparse Spatial Autoregressions" (1997), via the StatLib
repository (https://www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.html).
"""

from __future__ import annotations

import os

from baro.datasets.common import (
    KERAS_ORIGIN,
    check_test_split,
    local_or_download,
    npz_arrays,
    shuffle_split,
)

__all__ = ["FEATURE_NAMES", "load_data"]

ORIGIN = KERAS_ORIGIN + "california_housing.npz"
SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
FEATURE_NAMES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population",
                 "AveOccup", "Latitude", "Longitude")


def load_data(version: str = "large",
              path: str | os.PathLike = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113):
    """Loads California housing as `(x_train, y_train), (x_test, y_test)`.

    The features are median income, median house age, average rooms and
    bedrooms per household, population, average occupancy, latitude and
    longitude (`FEATURE_NAMES`). The rows (the first 600 for `"small"`) are
    shuffled with `RandomState(seed)`, then the first `int(n * (1 - test_split))`
    train and the rest test, as Keras does.

    Args:
        version: `"large"` (all 20,640 rows) or `"small"` (the first 600, a
            stand-in for the Boston data set).
        path: A cache file name (default `"california_housing.npz"`: downloaded
            and SHA-256-checked on first use) or Keras's `.npz` file you have
            (keys `x`, `y`; not hash-checked).
        test_split: Fraction of rows for the test set, in [0, 1).
        seed: Seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x of shape (n, 8), y of shape
        (n,), the dtypes stored in the file.

    Raises:
        ValueError: If `version` or `test_split` is invalid, or the file lacks
            the arrays.
        FileNotFoundError: If `path` names a missing file.
        DownloadError: If the file is not cached and cannot be downloaded.
    """
    if version not in ("small", "large"):
        raise ValueError(f"version must be 'small' or 'large'; received "
                         f"{version!r}.")
    check_test_split(test_split)
    arrays = npz_arrays(local_or_download(path, ORIGIN, SHA256), ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_split(x, y, test_split, seed)
