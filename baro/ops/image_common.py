"""What the image ops share (overview in `image.py`): the interpolation names,
option and image-shape checks (`check_option`, `batch_and_size`, also used by
`baro.image` and the preprocessing layers; `factor_range`, Keras's augmentation
range), the NHWC layout on the way in and out, and running a resampler in a
float dtype with integer images restored afterwards.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor
from baro.ops.convert import as_tensor
from baro.ops.math import cast
from baro.ops.shape import reshape, transpose
from baro.ops.window import channels_first

INTERPOLATIONS = ("bilinear", "nearest")


def check_option(value, allowed, name: str, owner: str) -> str:
    """Returns `value` if it is one of `allowed`, else raises a ValueError."""
    if value not in allowed:
        raise ValueError(
            f"{owner}: unknown {name} {value!r}; expected one of {allowed}.")
    return value


def factor_range(factor, name: str, owner: str) -> tuple[float, float]:
    """Keras's augmentation range: a number f gives (-|f|, |f|), a pair
    (lower, upper) is sorted; every value must lie in [-1, 1].

    Raises:
        ValueError: Naming `owner` and echoing `factor` otherwise.
    """
    pair = None
    if isinstance(factor, (tuple, list)):
        pair = factor
    elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
        pair = (-abs(factor), abs(factor))
    if pair is None or len(pair) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and -1 <= v <= 1
            for v in pair):
        raise ValueError(
            f"{owner}: {name} must be a number or a pair (lower, upper) of numbers "
            f"in [-1, 1], received {name}={factor!r}.")
    lower, upper = sorted(float(v) for v in pair)
    return lower, upper


def batch_and_size(shape, data_format, owner: str) -> tuple[int, int, int]:
    """(batch size, height, width) of an image shape; one image counts as 1.

    Raises:
        ValueError: Unless the shape has rank 3 (one image) or 4 (a batch).
    """
    if len(shape) not in (3, 4):
        raise ValueError(
            f"{owner}: expected images of rank 3 (H, W, C) or 4 (N, H, W, C), "
            f"received shape {tuple(shape)}. Add a channel axis to grayscale "
            "images (x[..., None]).")
    n = shape[0] if len(shape) == 4 else 1
    if channels_first(data_format, owner):
        return n, shape[-2], shape[-1]
    return n, shape[-3], shape[-2]


def _to_nhwc(images, data_format, owner: str):
    """(N, H, W, C) Tensor, whether a batch axis was added, channels_first."""
    x = as_tensor(images)
    batch_and_size(x.shape, data_format, owner)
    first = channels_first(data_format, owner)
    unbatched = x.ndim == 3
    if unbatched:
        x = reshape(x, (1,) + x.shape)
    if first:
        x = transpose(x, (0, 2, 3, 1))
    return x, unbatched, first


def _from_nhwc(y, unbatched: bool, first: bool):
    if first:
        y = transpose(y, (0, 3, 1, 2))
    return reshape(y, y.shape[1:]) if unbatched else y


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """Float dtype the resamplers work in (integers wider than 16 bits: float64)."""
    if dtype in (np.float32, np.float64):
        return dtype
    if dtype.kind in "biuf":
        return np.dtype(np.float64 if dtype.itemsize > 2 and dtype.kind != "f"
                        else np.float32)
    raise TypeError(f"image ops need numeric images, received dtype {dtype}.")


def _restore_dtype(y: Tensor, dtype: np.dtype) -> Tensor:
    """Casts a float result back to the input's dtype (integers rounded, clipped)."""
    if y.data.dtype == dtype:
        return y
    if dtype.kind == "f":
        return cast(y, dtype)
    data = y.data
    xp = get_array_module(data)
    data = xp.rint(data)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        data = xp.clip(data, info.min, info.max)
    else:
        data = data > 0.5
    return Tensor._wrap(data.astype(dtype))


def _apply_in_float(fn, x: Tensor, keep_dtype: bool) -> Tensor:
    """Runs `fn` on x in a float dtype; integer inputs come back as integers
    when `keep_dtype` (they carry no gradient)."""
    dtype = x.data.dtype
    work = _compute_dtype(dtype)
    if work == dtype:
        return fn(x)
    with no_grad():
        y = fn(Tensor._wrap(x.data.astype(work)))
    if dtype.kind == "f" or keep_dtype:
        return _restore_dtype(y, dtype)
    return y
