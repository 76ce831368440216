"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from baro.datasets.idx import read_idx
from baro.utils.file_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        if (folder / name).exists():
            return folder / name
    return None


def load_idx_split(folder, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of one split from a folder of original IDX files.

    Raises:
        FileNotFoundError: Naming the files the folder must hold.
    """
    folder = Path(folder)
    images, labels = (_find(folder, stem) for stem in IDX_NAMES[split])
    if images is None or labels is None:
        raise FileNotFoundError(
            f"{folder} has no MNIST {split} files; expected "
            f"{IDX_NAMES[split][0]}.gz and {IDX_NAMES[split][1]}.gz.")
    x, y = read_idx(images), read_idx(labels)
    if len(x) != len(y):
        raise ValueError(f"{folder}: {len(x)} images but {len(y)} labels.")
    return x, y.astype(np.uint8)


def load_data(path="mnist.npz"):
    """Loads MNIST as `(x_train, y_train), (x_test, y_test)` (Keras's layout).

    Args:
        path: A cached file name (downloaded and SHA-256-checked on first use),
            an existing `.npz` file with Keras's keys, or a folder holding the
            original IDX files (`train-images-idx3-ubyte.gz`, ...). User files
            are not hash-checked.

    Returns:
        x arrays of shape (n, 28, 28) uint8 and y arrays of shape (n,) uint8.
    """
    if os.path.isdir(path):
        return load_idx_split(path, "train"), load_idx_split(path, "test")
    if not os.path.exists(path):
        path = get_file(str(path), origin=ORIGIN, file_hash=SHA256)
    with np.load(path, allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
