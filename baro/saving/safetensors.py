"""The safetensors format, read and written with NumPy alone.

Layout: 8-byte little-endian header length, a JSON header mapping each name to
{dtype, shape, data_offsets}, then the raw little-endian bytes. Nothing in it can
execute code, unlike pickle. Files are written atomically (temp file + rename).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile

import numpy as np

from baro.utils.file_utils import default_permissions

_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64", "I8": "int8",
           "I16": "int16", "I32": "int32", "I64": "int64", "U8": "uint8",
           "U16": "uint16", "U32": "uint32", "U64": "uint64", "BOOL": "bool"}
_CODES = {v: k for k, v in _DTYPES.items()}


def atomic_write(path, data: bytes) -> None:
    """Writes `data` to a temp file beside `path`, then renames it into place."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        default_permissions(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def dumps(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None
          ) -> bytes:
    """Serializes named arrays to safetensors bytes."""
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks, offset = [], 0
    for name, array in tensors.items():
        # ascontiguousarray turns a 0-d array into shape (1,): keep the shape.
        array = np.ascontiguousarray(array).reshape(np.shape(array))
        code = _CODES.get(array.dtype.name)
        if code is None:
            raise TypeError(f"safetensors: cannot store dtype {array.dtype} ({name}).")
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # keep the data 8-byte aligned
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def loads(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Parses safetensors bytes into (arrays, metadata).

    Raises:
        ValueError: If the bytes are not a well-formed safetensors file.
    """
    if len(data) < 8:
        raise ValueError("safetensors: file too short.")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise ValueError("safetensors: header length exceeds the file size.")
    try:
        header = json.loads(data[8:8 + length])
    except ValueError as err:
        raise ValueError(f"safetensors: unreadable header ({err}).") from None
    metadata = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + length:]
    arrays = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise ValueError(f"safetensors: unknown dtype {info.get('dtype')!r} "
                             f"for {name!r}.")
        start, stop = info["data_offsets"]
        shape = tuple(int(s) for s in info["shape"])
        expected = int(np.prod(shape)) * np.dtype(dtype).itemsize
        if not 0 <= start <= stop <= len(body) or stop - start != expected:
            raise ValueError(f"safetensors: bad data offsets for {name!r}.")
        arrays[name] = np.frombuffer(body[start:stop], dtype=np.dtype(dtype)
                                     .newbyteorder("<")).reshape(shape).copy()
    return arrays, metadata


def save_file(tensors: dict[str, np.ndarray], path, metadata=None) -> None:
    """Writes named arrays to `path` atomically."""
    atomic_write(path, dumps(tensors, metadata))


def load_file(path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Reads (arrays, metadata) from a safetensors file."""
    with open(path, "rb") as f:
        return loads(f.read())
