"""Image resizing (`keras.ops.image.resize`): the separable `Resize` Function,
its per-axis taps (bilinear, nearest, antialiased), and `resize` (re-exported by
`baro.ops.image`).
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.image_common import (
    INTERPOLATIONS,
    _apply_in_float,
    _from_nhwc,
    _to_nhwc,
    check_option,
)
from baro.ops.shape import pad


def _nearest_taps(n_in: int, n_out: int):
    """Half-pixel centres: output o reads input floor((o + 0.5) * n_in / n_out)."""
    src = np.floor((np.arange(n_out) + 0.5) * (n_in / n_out)).astype(np.int64)
    return np.minimum(src, n_in - 1)[:, None], None


def _linear_taps(n_in: int, n_out: int, antialias: bool):
    """Triangle-filter taps: (indices (n_out, K), weights (n_out, K)).

    Output o is centred at c = (o + 0.5) * s in input units (s = n_in / n_out);
    input j (centre j + 0.5) gets weight max(0, 1 - |j + 0.5 - c| / r) with r = 1
    (plain bilinear, as tf.image.resize and torch align_corners=False) or, with
    `antialias` when shrinking, r = s (the filter widened to the output's
    pixel). Taps outside the image are dropped and the rest renormalized, which
    is clamping to the edge pixel for plain bilinear.
    """
    scale = n_in / n_out
    radius = max(scale, 1.0) if antialias else 1.0
    centre = (np.arange(n_out) + 0.5) * scale
    first = np.floor(centre - radius - 0.5).astype(np.int64) + 1
    taps = first[:, None] + np.arange(int(np.ceil(2 * radius)))
    weights = np.maximum(0.0, 1.0 - np.abs(taps + 0.5 - centre[:, None]) / radius)
    weights *= (taps >= 0) & (taps < n_in)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.clip(taps, 0, n_in - 1), weights


def _resample_axis(x, index, weights, axis: int):
    xp = get_array_module(x)
    shape = [1] * x.ndim
    shape[axis] = -1
    out = None
    for k in range(index.shape[1]):
        part = xp.take(x, xp.asarray(index[:, k]), axis=axis)
        if weights is not None:
            part *= xp.asarray(weights[:, k], dtype=x.dtype).reshape(shape)
        if out is None:
            out = part
        else:
            out += part
    return out


def _resample_axis_transposed(g, index, weights, axis: int, n_in: int):
    # The taps along one axis are a sparse (n_out, n_in) matrix A; dx = A^T g.
    # A is small (one image side by another), so it is built dense.
    xp = get_array_module(g)
    n_out, k = index.shape
    matrix = np.zeros((n_out, n_in))
    rows = np.repeat(np.arange(n_out), k)
    np.add.at(matrix, (rows, index.ravel()), 1.0 if weights is None else
              weights.ravel())
    moved = xp.moveaxis(g, axis, -1) @ xp.asarray(matrix, dtype=g.dtype)
    return xp.moveaxis(moved, -1, axis)


class Resize(Function):
    """Separable resampling of NHWC images, along H then W.

    Along one axis, y[o] = sum_k w[o, k] x[i[o, k]] (bilinear: 2 taps, nearest:
    1, antialiased shrinking: the widened triangle filter), i.e. y = A x with a
    sparse A; so dx = A^T g, axis by axis in reverse order.
    """

    def __init__(self, taps_h, taps_w) -> None:
        self.taps = (taps_h, taps_w)

    def forward(self, x):
        self.in_hw = x.shape[1:3]
        for axis, taps in ((1, self.taps[0]), (2, self.taps[1])):
            if taps is not None:
                x = _resample_axis(x, *taps, axis)
        return x

    def backward(self, g):
        for axis in (2, 1):
            taps = self.taps[axis - 1]
            if taps is not None:
                g = _resample_axis_transposed(g, *taps, axis, self.in_hw[axis - 1])
        return g


def _crop_or_pad_to_aspect(x, size, crop: bool, fill_value):
    """Keras's crop_to_aspect_ratio / pad_to_aspect_ratio on an NHWC Tensor."""
    h, w = x.shape[1:3]
    th, tw = size
    if crop:
        ch = max(min(h, int(w * th / tw)), 1)
        cw = max(min(w, int(h * tw / th)), 1)
        top, left = int((h - ch) / 2), int((w - cw) / 2)
        return x[:, top:top + ch, left:left + cw]
    ph = int((max(h, int(w * th / tw)) - h) / 2)
    pw = int((max(w, int(h * tw / th)) - w) / 2)
    if ph > 0:
        return pad(x, ((0, 0), (ph, ph), (0, 0), (0, 0)), constant_values=fill_value)
    if pw > 0:
        return pad(x, ((0, 0), (0, 0), (pw, pw), (0, 0)), constant_values=fill_value)
    return x


def resize(images, size, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0,
           data_format=None) -> Tensor:
    """Resizes images to `size = (height, width)` (`keras.ops.image.resize`).

    Half-pixel centres, as tf.image.resize and torch's `align_corners=False`:
    output pixel o samples the input at (o + 0.5) * in / out - 0.5. "bilinear"
    interpolates the two nearest input pixels per axis (clamped at the edges);
    `antialias=True` widens the triangle filter to the output pixel when
    shrinking (torch `antialias=True`), so no input pixel is skipped. "nearest"
    takes input floor((o + 0.5) * in / out) (torch "nearest-exact").

    Args:
        images: `(N, H, W, C)` or `(H, W, C)` (channels_first: `(N, C, H, W)`).
        size: `(height, width)` of the output.
        interpolation: "bilinear" (default) or "nearest".
        antialias: Filter when downsampling (bilinear only). Default False.
        crop_to_aspect_ratio: Crop the largest centred window of the target
            aspect ratio first (no distortion). Default False.
        pad_to_aspect_ratio: Pad the short side evenly with `fill_value` first.
        fill_mode: Only "constant" (used by `pad_to_aspect_ratio`).
        fill_value: Padding value. Default 0.
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        The resized images. As tf.image.resize, "bilinear" returns float32 for
        integer images (float inputs keep their dtype); "nearest" keeps the dtype.

    Raises:
        ValueError: For a bad size, rank, interpolation or option combination.

    Example:
        >>> import numpy as np, baro.ops.image
        >>> x = np.arange(4.0, dtype="float32").reshape(1, 2, 2, 1)
        >>> baro.ops.image.resize(x, (4, 4)).numpy()[0, :, :, 0]
        array([[0.  , 0.25, 0.75, 1.  ],
               [0.5 , 0.75, 1.25, 1.5 ],
               [1.5 , 1.75, 2.25, 2.5 ],
               [2.  , 2.25, 2.75, 3.  ]], dtype=float32)
    """
    check_option(interpolation, INTERPOLATIONS, "interpolation", "resize")
    check_option(fill_mode, ("constant",), "fill_mode", "resize")
    if not (hasattr(size, "__len__") and len(size) == 2 and
            all(isinstance(s, (int, np.integer)) and s > 0 for s in size)):
        raise ValueError(f"resize: size must be (height, width) with positive "
                         f"ints, received size={size!r}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: pass only one of crop_to_aspect_ratio and "
                         "pad_to_aspect_ratio.")
    size = (int(size[0]), int(size[1]))
    x, unbatched, first = _to_nhwc(images, data_format, "resize")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        x = _crop_or_pad_to_aspect(x, size, crop_to_aspect_ratio, fill_value)

    def run(x):
        taps = []
        for n_in, n_out in zip(x.shape[1:3], size, strict=True):
            if n_in == n_out:
                taps.append(None)
            elif interpolation == "nearest":
                taps.append(_nearest_taps(n_in, n_out))
            else:
                taps.append(_linear_taps(n_in, n_out, antialias))
        if taps == [None, None]:
            return x
        return Resize(*taps).apply(x)

    y = _apply_in_float(run, x, keep_dtype=interpolation == "nearest")
    return _from_nhwc(y, unbatched, first)
