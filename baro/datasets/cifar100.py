"""CIFAR-100: 50,000 training and 10,000 test colour images, 32x32, 100 classes
grouped into 20 superclasses.

Collected by Alex Krizhevsky, Vinod Nair and Geoffrey Hinton ("Learning Multiple
Layers of Features from Tiny Images", 2009); https://www.cs.toronto.edu/~kriz/cifar.html.
"""

from __future__ import annotations

import os

import numpy as np

from baro.datasets.cifar import channels_last, load_splits
from baro.datasets.common import local_or_download

__all__ = ["ORIGIN", "SHA256", "load_data"]

FILENAME = "cifar-100-python.tar.gz"
ORIGIN = "https://www.cs.toronto.edu/~kriz/" + FILENAME
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
PYTHON = (["train"], ["test"])
BINARY = (["train.bin"], ["test.bin"])


def load_data(label_mode: str = "fine", path: str | os.PathLike | None = None):
    """Loads CIFAR-100 as `(x_train, y_train), (x_test, y_test)`.

    Args:
        label_mode: `"fine"` (100 classes, default) or `"coarse"` (the 20
            superclasses).
        path: None (Keras's behaviour: `cifar-100-python.tar.gz` is downloaded
            into `$BARO_HOME/datasets` and SHA-256-checked, then read without
            extracting), or a file or folder you have: the python tarball, the
            binary tarball (`cifar-100-binary.tar.gz`), or either extracted
            folder. User files are not hash-checked. (An extension: Keras takes
            no `path`.)

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x uint8 of shape
        (n, 32, 32, 3) (channels last), y int64 of shape (n, 1) (Keras builds
        these labels from Python lists, hence int64). The full set has 50,000
        training and 10,000 test images.

    Raises:
        ValueError: If `label_mode` is neither `"fine"` nor `"coarse"`.
        FileNotFoundError: If `path` is missing or holds no CIFAR-100 files.
        pickle.UnpicklingError: If a python batch tries to load anything but
            arrays, lists and strings.
        DownloadError: If the tarball is not cached and cannot be downloaded.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'label_mode must be "fine" or "coarse"; received '
                         f"{label_mode!r}.")
    source = local_or_download(path or FILENAME, ORIGIN, SHA256)
    # Binary records hold the coarse label byte, then the fine one.
    (x_train, y_train), (x_test, y_test) = load_splits(
        source, PYTHON, BINARY, f"{label_mode}_labels", 2,
        1 if label_mode == "fine" else 0, "CIFAR-100")
    return ((channels_last(x_train), y_train.astype(np.int64).reshape(-1, 1)),
            (channels_last(x_test), y_test.astype(np.int64).reshape(-1, 1)))
