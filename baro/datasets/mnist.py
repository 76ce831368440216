"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8.

Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative of the
NIST data; it is available under the Creative Commons Attribution-Share Alike
3.0 license.
"""

from __future__ import annotations

import os

from baro.datasets.common import KERAS_ORIGIN, local_or_download, npz_arrays
from baro.datasets.idx import IDX_NAMES, load_idx_split

__all__ = ["IDX_NAMES", "ORIGIN", "SHA256", "load_data", "load_idx_split"]

ORIGIN = [KERAS_ORIGIN + "mnist.npz",
          # Keras 2's host of the same file; the pinned hash guards it.
          "https://s3.amazonaws.com/img-datasets/mnist.npz"]
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike = "mnist.npz"):
    """Loads MNIST as `(x_train, y_train), (x_test, y_test)` (Keras's layout).

    Args:
        path: A cache file name (default `"mnist.npz"`: downloaded into
            `$BARO_HOME/datasets` and SHA-256-checked on first use), an existing
            `.npz` file with Keras's keys, or a folder holding the original IDX
            files (`train-images-idx3-ubyte.gz`, ...). User files are not
            hash-checked.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x uint8 of shape (n, 28, 28),
        pixels 0-255; y uint8 of shape (n,), digits 0-9. The full set has
        60,000 training and 10,000 test images.

    Raises:
        FileNotFoundError: If `path` names a file or folder that is missing, or
            a folder without the IDX files.
        DownloadError: If the file is not cached and cannot be downloaded (the
            message says where to copy it).
    """
    source = local_or_download(path, ORIGIN, SHA256)
    if source.is_dir():
        return load_idx_split(source, "train"), load_idx_split(source, "test")
    arrays = npz_arrays(source, KEYS)
    return ((arrays["x_train"], arrays["y_train"]),
            (arrays["x_test"], arrays["y_test"]))
