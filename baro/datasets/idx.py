"""The IDX format of the original MNIST / Fashion-MNIST files (optionally gzipped)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
          0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    """Reads an IDX file (`.gz` or raw) into an array of its stored shape.

    The header is two zero bytes, a type code, the number of dimensions, then
    each size as a big-endian uint32; the values follow, big-endian.

    Args:
        path: Path of the file; a `.gz` name is decompressed.

    Returns:
        The array, in native byte order.

    Raises:
        ValueError: If the header is not IDX or the data is truncated.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number).")
    dtype = np.dtype(_TYPES[data[2]])
    ndim = data[3]
    shape = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    start = 4 + 4 * ndim
    count = int(np.prod(shape))
    if len(data) - start < count * dtype.itemsize:
        raise ValueError(f"{path} is truncated: expected {count} values of shape "
                         f"{shape}.")
    array = np.frombuffer(data, dtype=dtype, count=count, offset=start)
    return array.reshape(shape).astype(dtype.newbyteorder("="), copy=True)


# The original MNIST / Fashion-MNIST file names, per split: (images, labels).
IDX_NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find(folder: Path, stem: str) -> Path | None:
    # Gzipped or not, and the "train-images.idx3-ubyte" spelling of some copies.
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx"),
                 stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).exists():
            return folder / name
    return None


def load_idx_split(folder, split: str = "test",
                   dataset: str = "MNIST") -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of one split from a folder of original IDX files.

    Args:
        folder: Folder holding `train-images-idx3-ubyte.gz` and its siblings
            (gzipped or not).
        split: `"train"` or `"test"`.
        dataset: Name used in error messages.

    Returns:
        Images (n, 28, 28) uint8 and labels (n,) uint8.

    Raises:
        ValueError: If `split` is unknown, or images and labels disagree.
        FileNotFoundError: Naming the files the folder must hold.
    """
    if split not in IDX_NAMES:
        raise ValueError(f"split must be 'train' or 'test'; received {split!r}.")
    folder = Path(folder)
    images, labels = (_find(folder, stem) for stem in IDX_NAMES[split])
    if images is None or labels is None:
        raise FileNotFoundError(
            f"{folder} has no {dataset} {split} files; expected "
            f"{IDX_NAMES[split][0]}.gz and {IDX_NAMES[split][1]}.gz.")
    x, y = read_idx(images), read_idx(labels)
    if len(x) != len(y):
        raise ValueError(f"{folder}: {len(x)} images but {len(y)} labels.")
    return x, y.astype(np.uint8)
