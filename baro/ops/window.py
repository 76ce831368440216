"""Sliding-window geometry shared by convolution and pooling.

TF's "same" padding (the odd pixel goes at the end), output sizes, layouts: every
op here works internally on channels_last 2-D arrays (N, H, W, C); a 1-D op gets a
height-1 axis and channels_first inputs are moved on the way in and out.
"""

from __future__ import annotations

import math
import sys
import threading

import numpy as np

from baro.backend.arrays import get_array_module


class Geometry:
    """Sizes of one 2-D sliding-window op (a 1-D op has height 1 everywhere)."""

    __slots__ = ("kernel", "strides", "dilation", "pads", "out_hw", "groups")

    def __init__(self, kernel, strides, dilation, pads, out_hw, groups=1) -> None:
        self.kernel = kernel
        self.strides = strides
        self.dilation = dilation
        self.pads = pads
        self.out_hw = out_hw
        self.groups = groups

    def window(self, i: int, j: int) -> tuple[slice, slice]:
        """(H, W) slices of the padded input that kernel position (i, j) reads."""
        (oh, ow), (sh, sw), (dh, dw) = self.out_hw, self.strides, self.dilation
        return (slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
                slice(j * dw, j * dw + (ow - 1) * sw + 1, sw))


def normalize_tuple(value, rank: int, name: str, op: str) -> tuple[int, ...]:
    """Returns an int or a sequence of `rank` positive ints as a tuple."""
    if isinstance(value, (int, np.integer)):
        values = (value,) * rank
    else:
        values = tuple(value) if hasattr(value, "__iter__") else ()
    if len(values) != rank or not all(hasattr(v, "__index__") for v in values):
        raise ValueError(
            f"{op}: {name} must be an int or a tuple of {rank} ints for a "
            f"{rank}-D op, received {value!r}.")
    values = tuple(int(v) for v in values)
    if min(values) < 1:
        raise ValueError(f"{op}: {name} must be positive, received {value!r}.")
    return values


def normalize_padding(padding, op: str) -> str:
    """Returns "valid" or "same" (any case accepted, as TF spells them upper)."""
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise ValueError(
            f"{op}: padding must be 'valid' or 'same', received {padding!r}.")
    return mode


def channels_first(data_format, op: str) -> bool:
    """True for "channels_first"; None means "channels_last" (Keras's default)."""
    fmt = "channels_last" if data_format is None else str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{op}: data_format must be 'channels_last' or 'channels_first', "
            f"received {data_format!r}.")
    return fmt == "channels_first"


def make_geometry(in_hw, kernel, strides, dilation, padding: str,
                  groups: int = 1) -> Geometry:
    """Output size and TF-style padding: "same" puts the odd pixel at the end.

    Sizes of a 1-D op (one entry each) get a leading height of 1.
    """
    if len(in_hw) == 1:
        in_hw, kernel, strides, dilation = (
            (1,) + tuple(v) for v in (in_hw, kernel, strides, dilation))
    pads, out = [], []
    for n, k, s, d in zip(in_hw, kernel, strides, dilation, strict=True):
        k_eff = (k - 1) * d + 1
        if padding == "same":
            o = -(-n // s)
            total = max((o - 1) * s + k_eff - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            o = (n - k_eff) // s + 1 if n >= k_eff else 0
            pads.append((0, 0))
        out.append(o)
    return Geometry(tuple(kernel), tuple(strides), tuple(dilation), tuple(pads),
                    tuple(out), groups)


def to_nhwc(x, rank: int, first: bool):
    """Views an input of a `rank`-D op as channels_last (N, H, W, C)."""
    if first:
        x = get_array_module(x).moveaxis(x, 1, -1)
    return x[:, None] if rank == 1 else x


def from_nhwc(y, rank: int, first: bool):
    """Inverse of `to_nhwc`."""
    if rank == 1:
        y = y[:, 0]
    return get_array_module(y).moveaxis(y, -1, 1) if first else y


def pad_spatial(x, pads, value):
    """Pads H and W of an NHWC array with `value`; no copy when there is no pad."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    out = get_array_module(x).full(
        (n, h + top + bottom, w + left + right, c), value, dtype=x.dtype)
    out[:, top:top + h, left:left + w] = x
    return out


# -- reusable scratch arrays ---------------------------------------------------------
#
# A training step allocates the same multi-megabyte temporaries every time (im2col
# patches, masked gradients, pooling gradients). Fresh arrays that size come from
# newly mapped pages, and the kernel's page faults cost as much as a matmul (about
# 9,000 faults, a quarter of a CPU step of the MNIST convnet). So the ops take them
# from this cache: an array is handed out again only when nothing but the cache
# references it (CPython's reference count), so one still saved for backward, held
# through a view, or kept by a caller is never reused. Contents are uninitialized.

_SCRATCH: dict[tuple, list] = {}
_SCRATCH_LOCK = threading.Lock()
_PER_KEY = 2  # arrays kept per (tag, shape, dtype); more at once are plain arrays
_MAX_BYTES = 512 * 2**20  # least recently used shapes are dropped beyond this
_MIN_BYTES = 2**20  # smaller arrays gain nothing from the cache


def scratch(xp, shape, dtype, tag: str):
    """An uninitialized array of `shape` and `dtype` that nobody else holds.

    Args:
        xp: The array module (NumPy or CuPy).
        shape: The array's shape.
        dtype: Its dtype.
        tag: Which buffer of which op, so two temporaries of one op that share a
            shape are never the same array.
    """
    shape = tuple(shape)
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < _MIN_BYTES:
        return xp.empty(shape, dtype=dtype)
    key = (tag, shape, dtype.str, xp.__name__)
    with _SCRATCH_LOCK:
        arrays = _SCRATCH.pop(key, [])
        _SCRATCH[key] = arrays  # most recently used last
        for i in range(len(arrays)):
            # 2 references: the list's and getrefcount's argument.
            if sys.getrefcount(arrays[i]) == 2:
                return arrays[i]
        array = xp.empty(shape, dtype=dtype)
        if len(arrays) < _PER_KEY:
            arrays.append(array)
            _evict()
        return array


def _evict() -> None:
    total = sum(a.nbytes for arrays in _SCRATCH.values() for a in arrays)
    for key in list(_SCRATCH):
        if total <= _MAX_BYTES:
            break
        total -= sum(a.nbytes for a in _SCRATCH.pop(key))

