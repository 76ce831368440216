"""The IDX format of the original MNIST / Fashion-MNIST files (optionally gzipped)."""

from __future__ import annotations

import gzip
import struct

import numpy as np

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
          0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    """Reads an IDX file (`.gz` or raw) into an array of its stored shape.

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
