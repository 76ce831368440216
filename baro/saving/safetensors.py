"""The safetensors format, read and written with NumPy alone.

Layout: 8-byte little-endian header length, a JSON header mapping each name to
{dtype, shape, data_offsets}, then the raw little-endian bytes. Nothing in it can
execute code, unlike pickle. Files are written atomically (temp file + rename).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import struct
import tempfile

import numpy as np

from baro.utils.file_utils import default_permissions

_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64", "I8": "int8",
           "I16": "int16", "I32": "int32", "I64": "int64", "U8": "uint8",
           "U16": "uint16", "U32": "uint32", "U64": "uint64", "BOOL": "bool"}
_CODES = {v: k for k, v in _DTYPES.items()}


@contextlib.contextmanager
def atomic_open(path):
    """Yields a binary file beside `path`; when the block ends without error it
    is flushed, fsynced and renamed over `path` (else removed), so `path` always
    holds either the old or the complete new content."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        default_permissions(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write(path, data: bytes) -> None:
    """Writes `data` to a temp file beside `path`, then renames it into place."""
    with atomic_open(path) as f:
        f.write(data)


def _layout(tensors: dict, metadata: dict | None) -> tuple[bytes, list]:
    """The header bytes and the little-endian contiguous arrays to follow it."""
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays, offset = [], 0
    for name, array in tensors.items():
        # ascontiguousarray turns a 0-d array into shape (1,): keep the shape.
        array = np.ascontiguousarray(array).reshape(np.shape(array))
        code = _CODES.get(array.dtype.name)
        if code is None:
            raise TypeError(f"safetensors: cannot store dtype {array.dtype} ({name}).")
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        arrays.append(array)
        offset += array.nbytes
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # keep the data 8-byte aligned
    return struct.pack("<Q", len(head)) + head, arrays


def write(stream, tensors: dict[str, np.ndarray],
          metadata: dict[str, str] | None = None) -> None:
    """Streams named arrays to a binary file object, without an extra copy."""
    head, arrays = _layout(tensors, metadata)
    stream.write(head)
    for array in arrays:
        if array.size:
            stream.write(memoryview(array.reshape(-1)).cast("B"))


def dumps(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None
          ) -> bytes:
    """Serializes named arrays to safetensors bytes."""
    buffer = io.BytesIO()
    write(buffer, tensors, metadata)
    return buffer.getvalue()


# The reference implementation's limit: a longer header is refused unread.
MAX_HEADER_BYTES = 100_000_000


def _entry(name: str, info, body_size: int) -> tuple[str, tuple, int, int]:
    """Checks one header entry against the data actually present."""
    if not isinstance(info, dict):
        raise ValueError(f"safetensors: entry {name!r} is not an object.")
    dtype = _DTYPES.get(info.get("dtype")) if isinstance(info.get("dtype"), str) \
        else None
    if dtype is None:
        raise ValueError(f"safetensors: unknown dtype {info.get('dtype')!r} for "
                         f"{name!r} (NumPy reads {sorted(_DTYPES)}).")
    shape, offsets = info.get("shape"), info.get("data_offsets")
    if not isinstance(shape, list) or len(shape) > 64 or not all(
            type(s) is int and s >= 0 for s in shape):
        raise ValueError(f"safetensors: bad shape {shape!r} for {name!r}.")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(
            type(o) is int for o in offsets):
        raise ValueError(f"safetensors: bad data_offsets {offsets!r} for {name!r}.")
    start, stop = offsets
    # Python integers: a claimed 1e12-element tensor is compared, never allocated.
    expected = math.prod(shape) * np.dtype(dtype).itemsize
    if not 0 <= start <= stop <= body_size or stop - start != expected:
        raise ValueError(
            f"safetensors: {name!r} claims shape {tuple(shape)} of {dtype} "
            f"({expected:,} bytes) at offsets {offsets}, but the data section "
            f"holds {body_size:,} bytes.")
    return dtype, tuple(shape), start, stop


def read_header(data: bytes) -> tuple[dict, dict, int]:
    """Parses and validates the header: ({name: (dtype, shape, start, stop)},
    metadata, data start). Nothing is allocated for the tensors.

    Raises:
        ValueError: If the header is malformed or its entries overlap, leave
            gaps, or point outside the file.
    """
    if len(data) < 8:
        raise ValueError("safetensors: file too short.")
    (length,) = struct.unpack("<Q", data[:8])
    if length > min(len(data) - 8, MAX_HEADER_BYTES):
        raise ValueError(f"safetensors: header length {length:,} exceeds the file "
                         "size or the 100 MB limit.")
    try:
        header = json.loads(bytes(data[8:8 + length]))
    except (ValueError, RecursionError) as err:
        raise ValueError(f"safetensors: unreadable header ({err}).") from None
    if not isinstance(header, dict):
        raise ValueError("safetensors: the header is not a JSON object.")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(v, str) for v in metadata.values()):
        raise ValueError("safetensors: __metadata__ must map strings to strings.")
    body_size = len(data) - 8 - length
    entries = {name: _entry(name, info, body_size) for name, info in header.items()}
    # The format stores tensors back to back: overlaps would alias, gaps hide data.
    position = 0
    for _, _, start, stop in sorted(entries.values(), key=lambda e: (e[2], e[3])):
        if start != position:
            raise ValueError(f"safetensors: tensor data overlaps or leaves a gap at "
                             f"byte {position:,}.")
        position = stop
    if position != body_size:
        raise ValueError(f"safetensors: {body_size - position:,} trailing bytes "
                         "after the last tensor.")
    return entries, metadata, 8 + length


def loads(data: bytes, copy: bool = True
          ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Parses safetensors bytes into (arrays, metadata).

    Every length, shape and offset is checked against the bytes present before
    anything is allocated. With `copy=False` the arrays are read-only views of
    `data` where the byte order allows (for callers that copy them anyway).

    Raises:
        ValueError: If the bytes are not a well-formed safetensors file.
    """
    entries, metadata, begin = read_header(data)
    body = memoryview(data)[begin:]
    arrays = {}
    for name, (dtype, shape, start, stop) in entries.items():
        little = np.dtype(dtype).newbyteorder("<")
        view = np.frombuffer(body[start:stop], dtype=little).reshape(shape)
        # Native byte order, and (unless told otherwise) a copy the caller owns.
        arrays[name] = view.astype(dtype, copy=copy)
    return arrays, metadata


def save_file(tensors: dict[str, np.ndarray], path, metadata=None) -> None:
    """Writes named arrays to `path` atomically."""
    with atomic_open(path) as f:
        write(f, tensors, metadata)


def load_file(path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Reads (arrays, metadata) from a safetensors file."""
    with open(path, "rb") as f:
        return loads(f.read())
