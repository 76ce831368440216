"""CIFAR-10: 50,000 training and 10,000 test colour images, 32x32, 10 classes.

Collected by Alex Krizhevsky, Vinod Nair and Geoffrey Hinton ("Learning Multiple
Layers of Features from Tiny Images", 2009); https://www.cs.toronto.edu/~kriz/cifar.html.
"""

from __future__ import annotations

import os

import numpy as np

from baro.datasets.cifar import channels_last, load_splits
from baro.datasets.common import local_or_download

__all__ = ["CLASS_NAMES", "ORIGIN", "SHA256", "load_data"]

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
               "horse", "ship", "truck")
FILENAME = "cifar-10-python.tar.gz"
ORIGIN = "https://www.cs.toronto.edu/~kriz/" + FILENAME
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
PYTHON = ([f"data_batch_{i}" for i in range(1, 6)], ["test_batch"])
BINARY = ([f"data_batch_{i}.bin" for i in range(1, 6)], ["test_batch.bin"])


def load_data(path: str | os.PathLike | None = None):
    """Loads CIFAR-10 as `(x_train, y_train), (x_test, y_test)`.

    Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
    7 horse, 8 ship, 9 truck (`CLASS_NAMES`).

    Args:
        path: None (Keras's behaviour: `cifar-10-python.tar.gz` is downloaded
            into `$BARO_HOME/datasets` and SHA-256-checked, then read without
            extracting), or a file or folder you have: the python tarball, the
            binary tarball (`cifar-10-binary.tar.gz`), or either extracted
            folder. User files are not hash-checked. (An extension: Keras takes
            no `path`.)

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x uint8 of shape
        (n, 32, 32, 3) (channels last), y uint8 of shape (n, 1). The full set
        has 50,000 training and 10,000 test images.

    Raises:
        FileNotFoundError: If `path` is missing or holds no CIFAR-10 batches.
        pickle.UnpicklingError: If a python batch tries to load anything but
            arrays, lists and strings.
        DownloadError: If the tarball is not cached and cannot be downloaded.
    """
    source = local_or_download(path or FILENAME, ORIGIN, SHA256)
    (x_train, y_train), (x_test, y_test) = load_splits(
        source, PYTHON, BINARY, "labels", 1, 0, "CIFAR-10")
    return ((channels_last(x_train), y_train.astype(np.uint8).reshape(-1, 1)),
            (channels_last(x_test), y_test.astype(np.uint8).reshape(-1, 1)))
