"""Affine and projective warps (`keras.ops.image.affine_transform`): the
sampling plan, the `AffineTransform` Function, `affine_transform`, and the
transform builders the augmentation layers use (`rotation_transforms`,
`translation_transforms`, `zoom_transforms`); re-exported by `baro.ops.image`.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module, to_numpy
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.image_common import (
    INTERPOLATIONS,
    _apply_in_float,
    _from_nhwc,
    _to_nhwc,
    check_option,
)

FILL_MODES = ("constant", "nearest", "reflect", "wrap", "mirror")
# Coordinates this close to a multiple of 1/2 are snapped to it, so exact
# rotations by multiples of 90 degrees and integer shifts copy pixels exactly and
# nearest-neighbour ties round the same way whatever the float error.
_SNAP = 1e-7


def _fix_index(i, n: int, mode: str, xp):
    """Maps integer coordinates onto [0, n) by the fill mode; the mask is False
    where "constant" mode reads the fill value instead."""
    if mode == "constant":
        return xp.clip(i, 0, n - 1), (i >= 0) & (i < n)
    if mode == "nearest":  # a a a | a b c d | d d d
        return xp.clip(i, 0, n - 1), None
    if mode == "wrap":  # a b c d | a b c d | a b c d
        return i % n, None
    if mode == "reflect":  # d c b a | a b c d | d c b a
        m = i % (2 * n)
        return xp.where(m < n, m, 2 * n - 1 - m), None
    if n == 1:  # mirror: d c b | a b c d | c b a (period 2n - 2)
        return xp.zeros_like(i), None
    m = i % (2 * n - 2)
    return xp.where(m < n, m, 2 * n - 2 - m), None


def _coordinates(t, out_hw, xp):
    """Source rows and columns (N, out_h, out_w) of every output pixel."""
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i, None, None] for i in range(8))
    ys = xp.arange(out_hw[0], dtype=np.float64)[:, None]
    xs = xp.arange(out_hw[1], dtype=np.float64)[None, :]
    # The constant terms ride on the small (N, 1, W) factor: one full-size add.
    rows = (b0 * xs + b2) + b1 * ys
    cols = (a0 * xs + a2) + a1 * ys
    if xp.any(t[:, 6:] != 0):
        k = c0 * xs + c1 * ys + 1.0
        rows, cols = rows / k, cols / k
    out = []
    for c in (rows, cols):
        if not xp.abs(c).max() < 1e9:
            # Far (or non-finite, k = 0) points are outside in every mode;
            # bounding them keeps the integer conversion defined.
            c = xp.clip(xp.nan_to_num(c, nan=-1e9), -1e9, 1e9)
        grid = xp.rint(2.0 * c) / 2.0
        out.append(xp.where(xp.abs(c - grid) < _SNAP, grid, c))
    return out


def _axis_taps(c, n: int, interpolation: str, fill_mode: str, xp):
    """Per-axis taps: [(index, weight)] with weights zeroed where "constant"
    mode reads the fill value."""
    if interpolation == "nearest":
        parts = [(xp.rint(c), None)]
    else:
        floor = xp.floor(c)
        frac = c - floor
        parts = [(floor, 1.0 - frac), (floor + 1.0, frac)]
    taps = []
    for position, weight in parts:
        index, valid = _fix_index(position.astype(np.int32), n, fill_mode, xp)
        if valid is not None:
            weight = valid if weight is None else xp.where(valid, weight, 0.0)
        taps.append((index, weight))
    return taps


def _sampling_plan(transforms, in_hw, out_hw, interpolation: str, fill_mode: str,
                   dtype, xp):
    """Taps of every output pixel: flat source indices (K, M), weights (K, M) and
    the weight left to the fill value (M,) or None, M = N * out_h * out_w.

    Bilinear weights are separable, w = wy * wx, so each axis is mapped once and
    the four corners combine them; the weights sum to 1, so what "constant" mode
    zeroed is the fill value's share.
    """
    h, w = in_hw
    t = xp.asarray(transforms, dtype=np.float64)
    rows, cols = _coordinates(t, out_hw, xp)
    taps_y = _axis_taps(rows, h, interpolation, fill_mode, xp)
    taps_x = _axis_taps(cols, w, interpolation, fill_mode, xp)
    n = t.shape[0]
    index_dtype = np.int32 if n * h * w < 2**31 else np.int64
    base = xp.arange(n, dtype=index_dtype)[:, None, None] * (h * w)
    shape = rows.shape
    count = len(taps_y) * len(taps_x)
    # Written in place: fresh full-size temporaries cost as much as the math.
    indices = xp.empty((count,) + shape, index_dtype)
    weights = xp.empty((count,) + shape, dtype)
    k = 0
    for yi, wy in taps_y:
        row_start = base + yi.astype(index_dtype) * w
        for xi, wx in taps_x:
            xp.add(row_start, xi, out=indices[k], casting="unsafe")
            if wy is None and wx is None:
                weights[k] = 1.0
            elif wy is None or wx is None:
                weights[k] = wx if wy is None else wy
            else:
                xp.multiply(wy, wx, out=weights[k], casting="unsafe")
            k += 1
    fill_weight = None
    if fill_mode == "constant":
        fill_weight = xp.clip(1.0 - weights.sum(axis=0, dtype=np.float64), 0.0, 1.0)
        fill_weight = fill_weight.astype(dtype).reshape(-1)
    return indices.reshape(count, -1), weights.reshape(count, -1), fill_weight


class AffineTransform(Function):
    """y[p] = sum_k w_k[p] x[i_k[p]] + fill * f[p]: each output pixel reads K
    source pixels (bilinear 4, nearest 1); taps outside the image in "constant"
    mode give their weight f to the fill value. Linear in x, so
    dx[j] = sum over taps reading j of w_k g (scatter-add).
    """

    def __init__(self, plan, out_hw, fill) -> None:
        self.index, self.weights, self.fill_weight = plan
        self.out_hw = out_hw
        self.fill = fill

    def forward(self, x):
        xp = get_array_module(x)
        n, h, w, c = self.in_shape = x.shape
        flat = x.reshape(n * h * w, c)
        weights = self.weights
        out = xp.take(flat, self.index[0], axis=0)
        out *= weights[0][:, None]
        for k in range(1, len(self.index)):
            out += xp.take(flat, self.index[k], axis=0) * weights[k][:, None]
        if self.fill_weight is not None and np.any(self.fill != 0):
            fill = xp.asarray(self.fill, dtype=x.dtype)
            out += self.fill_weight[:, None] * fill
        return out.reshape((n,) + self.out_hw + (c,))

    def backward(self, g):
        xp = get_array_module(g)
        n, h, w, c = self.in_shape
        g = g.reshape(-1, c)
        weights = self.weights
        grad = xp.zeros((n * h * w, c), g.dtype)
        for k in range(len(self.index)):
            xp.add.at(grad, self.index[k], g * weights[k][:, None])
        return grad.reshape(self.in_shape)


def affine_transform(images, transform, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value=0,
                     data_format=None, output_size=None) -> Tensor:
    """Warps images by projective transforms (`keras.ops.image.affine_transform`).

    A transform row `[a0, a1, a2, b0, b1, b2, c0, c1]` maps each *output* pixel
    (x, y) to the *input* point
    `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`, `k = c0 x + c1 y + 1`
    (the inverse of the map taking input points to output points; c0 = c1 = 0
    for an affine map). The input is sampled there by `interpolation`; points
    outside are filled by `fill_mode`:

    - "constant": `(k k k k | a b c d | k k k k)` with k = `fill_value`;
    - "nearest": `(a a a a | a b c d | d d d d)`;
    - "reflect": `(d c b a | a b c d | d c b a)` (about the edge of the last pixel);
    - "wrap": `(a b c d | a b c d | a b c d)`;
    - "mirror": `(d c b | a b c d | c b a)` (about the last pixel's centre).

    Bilinear weights apply to the four neighbours after each is mapped by the
    fill mode (SciPy `map_coordinates` and Keras's NumPy/JAX backends); nearest
    takes the closest pixel, exact ties to the even one (cvRound's rule).

    Args:
        images: `(N, H, W, C)` or `(H, W, C)` (channels_first: `(N, C, H, W)`).
        transform: `(8,)` for every image or `(N, 8)`, one row per image.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: See above; default "constant".
        fill_value: Scalar, or one value per channel, for "constant". Default 0.
        data_format: "channels_last" (default) or "channels_first".
        output_size: `(height, width)` of the output (default: the input's).

    Returns:
        The warped images, in the input's dtype (integers rounded and clipped).

    Raises:
        ValueError: For a bad rank, transform shape, mode or fill value.

    Example:
        >>> import numpy as np, baro.ops.image
        >>> x = np.arange(9.0, dtype="float32").reshape(3, 3, 1)
        >>> shift_right = [1, 0, -1, 0, 1, 0, 0, 0]  # output (x, y) <- (x - 1, y)
        >>> baro.ops.image.affine_transform(x, shift_right).numpy()[..., 0]
        array([[0., 0., 1.],
               [0., 3., 4.],
               [0., 6., 7.]], dtype=float32)
    """
    check_option(interpolation, INTERPOLATIONS, "interpolation", "affine_transform")
    check_option(fill_mode, FILL_MODES, "fill_mode", "affine_transform")
    x, unbatched, first = _to_nhwc(images, data_format, "affine_transform")
    n, h, w, c = x.shape
    t = np.asarray(to_numpy(transform.data if isinstance(transform, Tensor)
                            else transform), dtype=np.float64)
    if t.ndim == 1:
        t = t[None]
    if t.ndim != 2 or t.shape[1] != 8 or t.shape[0] not in (1, n):
        raise ValueError(
            f"affine_transform: transform must have shape (8,) or ({n}, 8) for "
            f"{n} image(s), received shape {t.shape}.")
    t = np.broadcast_to(t, (n, 8))
    fill = np.asarray(fill_value, dtype=np.float64)
    if fill.ndim > 1 or fill.size not in (1, c):
        raise ValueError(
            f"affine_transform: fill_value must be a scalar or {c} values (one "
            f"per channel), received {fill_value!r}.")
    out_hw = (h, w) if output_size is None else tuple(int(s) for s in output_size)
    if len(out_hw) != 2 or min(out_hw) < 1:
        raise ValueError(f"affine_transform: output_size must be (height, width) "
                         f"with positive ints, received {output_size!r}.")

    def run(x):
        xp = get_array_module(x.data)
        plan = _sampling_plan(t, (h, w), out_hw, interpolation, fill_mode,
                              x.data.dtype, xp)
        return AffineTransform(plan, out_hw, fill).apply(x)

    y = _apply_in_float(run, x, keep_dtype=True)
    return _from_nhwc(y, unbatched, first)


def rotation_transforms(angles, height: int, width: int) -> np.ndarray:
    """Rows rotating images counter-clockwise by `angles` (radians) about the
    centre ((width - 1) / 2, (height - 1) / 2), as Keras's RandomRotation.

    Output (x, y) reads input (cx + cos a (x - cx) - sin a (y - cy),
    cy + sin a (x - cx) + cos a (y - cy)).
    """
    a = np.atleast_1d(np.asarray(angles, dtype=np.float64))
    cos, sin = np.cos(a), np.sin(a)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    zero = np.zeros_like(a)
    return np.stack([cos, -sin, cx - cos * cx + sin * cy,
                     sin, cos, cy - sin * cx - cos * cy, zero, zero], axis=1)


def translation_transforms(dx, dy) -> np.ndarray:
    """Rows moving image content by (dx, dy) pixels (right and down positive)."""
    dx, dy = np.broadcast_arrays(np.atleast_1d(np.asarray(dx, dtype=np.float64)),
                                 np.atleast_1d(np.asarray(dy, dtype=np.float64)))
    one, zero = np.ones_like(dx), np.zeros_like(dx)
    return np.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=1)


def zoom_transforms(zx, zy, height: int, width: int) -> np.ndarray:
    """Rows sampling a window `zx` x `zy` times the image about its centre
    (> 1 zooms out, < 1 zooms in), as Keras's RandomZoom."""
    zx, zy = np.broadcast_arrays(np.atleast_1d(np.asarray(zx, dtype=np.float64)),
                                 np.atleast_1d(np.asarray(zy, dtype=np.float64)))
    zero = np.zeros_like(zx)
    return np.stack([zx, zero, (width - 1) / 2 * (1 - zx),
                     zero, zy, (height - 1) / 2 * (1 - zy), zero, zero], axis=1)
