"""`baro.image`: image functions with TF, Keras and OpenCV conventions.

`resize` and `affine_transform` are `baro.ops.image`'s (Keras semantics); the
flips and crops follow tf.image. `get_rotation_matrix_2d` and `warp_affine`
mirror OpenCV's `getRotationMatrix2D` and `warpAffine`, so code written for cv2
ports directly; `rotate` and `shift` are built on them. Images are channels_last:
`(N, H, W, C)`, one image `(H, W, C)`, or (OpenCV style, here only) one
grayscale image `(H, W)`. A batch of grayscale images needs its channel axis,
`(N, H, W, 1)`: a rank-3 array is always read as one `(H, W, C)` image.

OpenCV's coordinate convention is Keras's: pixel (x, y) = (column, row) has its
centre at integer coordinates.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import to_numpy
from baro.core.tensor import Tensor
from baro.ops.convert import as_tensor
from baro.ops.image import affine_transform, batch_and_size, check_option, resize
from baro.ops.shape import reshape

# OpenCV's constants, for code ported from cv2 (`flags=INTER_NEAREST`, ...).
INTER_NEAREST = 0
INTER_LINEAR = 1
WARP_INVERSE_MAP = 16
BORDER_CONSTANT = 0
BORDER_REPLICATE = 1
BORDER_REFLECT = 2
BORDER_WRAP = 3
BORDER_REFLECT_101 = 4

_INTERPOLATION_FLAGS = {INTER_NEAREST: "nearest", INTER_LINEAR: "bilinear"}
# OpenCV border -> fill mode: REFLECT is fedcba|abcdef, REFLECT_101 gfedcb|abcdefg.
_BORDER_MODES = {BORDER_CONSTANT: "constant", BORDER_REPLICATE: "nearest",
                 BORDER_REFLECT: "reflect", BORDER_WRAP: "wrap",
                 BORDER_REFLECT_101: "mirror"}


def get_rotation_matrix_2d(center, angle: float, scale: float = 1.0) -> np.ndarray:
    """The 2x3 matrix of `cv2.getRotationMatrix2D(center, angle, scale)`.

    It maps source points to destination points, rotating by `angle` degrees
    counter-clockwise (as seen on screen, y pointing down) about
    `center = (x, y)` and scaling by `scale`:

        [[ a, b, (1 - a) * cx - b * cy],
         [-b, a, b * cx + (1 - a) * cy]],  a = scale cos(angle), b = scale sin(angle)

    Args:
        center: `(x, y)`, column then row.
        angle: Degrees, counter-clockwise positive.
        scale: Isotropic scale factor. Default 1.

    Returns:
        A float64 NumPy array of shape (2, 3), as OpenCV returns.

    Example:
        >>> import baro.image
        >>> baro.image.get_rotation_matrix_2d((1.0, 1.0), 90.0).round(6)
        array([[ 0.,  1., -0.],
               [-1.,  0.,  2.]])
    """
    cx, cy = (float(c) for c in center)
    theta = np.deg2rad(float(angle))
    a = float(scale) * np.cos(theta)
    b = float(scale) * np.sin(theta)
    return np.array([[a, b, (1 - a) * cx - b * cy],
                     [-b, a, b * cx + (1 - a) * cy]])


def _as_images(images, op: str):
    """(images of rank >= 3, whether a channel axis was added for (H, W))."""
    x = as_tensor(images)
    if x.ndim == 2:
        return reshape(x, x.shape + (1,)), True
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{op}: expected (H, W), (H, W, C) or (N, H, W, C) images, received "
            f"shape {tuple(x.shape)}.")
    return x, False


def _inverse_rows(matrices: np.ndarray) -> np.ndarray:
    """Inverts (N, 2, 3) affine maps; returns affine_transform rows (N, 8)."""
    full = np.zeros((len(matrices), 3, 3))
    full[:, :2] = matrices
    full[:, 2, 2] = 1.0
    inverse = np.linalg.inv(full)
    return np.concatenate([inverse[:, 0], inverse[:, 1],
                           np.zeros((len(matrices), 2))], axis=1)


def _warp(images, matrices, dsize, interpolation, fill_mode, fill_value,
          inverse_map: bool, op: str):
    x, grayscale = _as_images(images, op)
    m = np.asarray(to_numpy(matrices.data if isinstance(matrices, Tensor)
                            else matrices), dtype=np.float64)
    if m.shape[-2:] != (2, 3) or m.ndim not in (2, 3):
        raise ValueError(f"{op}: the matrix must have shape (2, 3) or (N, 2, 3), "
                         f"received shape {m.shape}.")
    m = m.reshape(-1, 2, 3)
    if np.linalg.matrix_rank(m[:, :, :2]).min() < 2:
        raise ValueError(f"{op}: the matrix {m.tolist()} is singular; it maps the "
                         "image onto a line and cannot be inverted.")
    if inverse_map:
        rows = np.concatenate([m[:, 0], m[:, 1], np.zeros((len(m), 2))], axis=1)
    else:
        rows = _inverse_rows(m)
    if len(rows) == 1:
        rows = rows[0]
    size = None if dsize is None else (int(dsize[1]), int(dsize[0]))
    y = affine_transform(x, rows, interpolation=interpolation, fill_mode=fill_mode,
                         fill_value=fill_value, output_size=size)
    return reshape(y, y.shape[:-1]) if grayscale else y


def warp_affine(images, matrix, dsize=None, flags=INTER_LINEAR,
                border_mode=BORDER_CONSTANT, border_value=0.0) -> Tensor:
    """Applies an affine map as `cv2.warpAffine(src, M, dsize, flags,
    borderMode, borderValue)` does.

    `matrix` (2x3) maps source to destination points, so each destination pixel
    reads the source at M^-1 (x, y); with `WARP_INVERSE_MAP` in `flags` it reads
    at M (x, y) directly: dst(x, y) = src(M11 x + M12 y + M13, M21 x + M22 y + M23).
    Pixel centres sit at integer coordinates, as in OpenCV. (OpenCV rounds
    bilinear coordinates to 1/32 pixel; baro interpolates exactly, so results
    agree to that precision.)

    Args:
        images: `(H, W)`, `(H, W, C)` or a batch `(N, H, W, C)`.
        matrix: `(2, 3)` for all images or `(N, 2, 3)`, one per image.
        dsize: `(width, height)` of the output, OpenCV order; default the input's.
        flags: `INTER_LINEAR` (default) or `INTER_NEAREST`, optionally
            `| WARP_INVERSE_MAP`; or "bilinear" / "nearest".
        border_mode: `BORDER_CONSTANT` (default), `BORDER_REPLICATE`,
            `BORDER_REFLECT`, `BORDER_WRAP`, `BORDER_REFLECT_101`, or a fill mode
            name of `affine_transform`.
        border_value: Scalar or one value per channel for BORDER_CONSTANT.

    Returns:
        The warped images in the input's dtype (integers rounded and clipped).

    Raises:
        ValueError: For an unknown flag or border mode, or a singular matrix.

    Example:
        >>> import numpy as np, baro.image
        >>> x = np.zeros((3, 3), "float32"); x[0, 0] = 1.0
        >>> m = np.array([[1.0, 0, 2], [0, 1, 1]])  # move 2 right, 1 down
        >>> baro.image.warp_affine(x, m, (3, 3)).numpy()
        array([[0., 0., 0.],
               [0., 0., 1.],
               [0., 0., 0.]], dtype=float32)
    """
    inverse_map = False
    if isinstance(flags, str):
        interpolation = check_option(flags, ("bilinear", "nearest"), "flags",
                                     "warp_affine")
    else:
        inverse_map = bool(int(flags) & WARP_INVERSE_MAP)
        interpolation = _INTERPOLATION_FLAGS.get(int(flags) & ~WARP_INVERSE_MAP)
        if interpolation is None:
            raise ValueError(
                f"warp_affine: flags={flags!r} is not supported; use INTER_LINEAR "
                "(1) or INTER_NEAREST (0), optionally | WARP_INVERSE_MAP (16).")
    if isinstance(border_mode, str):
        fill_mode = border_mode
    else:
        fill_mode = _BORDER_MODES.get(int(border_mode))
        if fill_mode is None:
            raise ValueError(
                f"warp_affine: border_mode={border_mode!r} is not supported; use "
                "BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_WRAP "
                "or BORDER_REFLECT_101.")
    return _warp(images, matrix, dsize, interpolation, fill_mode, border_value,
                 inverse_map, "warp_affine")


def rotate(images, angle, center=None, scale: float = 1.0,
           interpolation: str = "bilinear", fill_mode: str = "constant",
           fill_value=0.0) -> Tensor:
    """Rotates images by `angle` degrees counter-clockwise about `center`.

    The same as `warp_affine(images, get_rotation_matrix_2d(center, angle,
    scale))`, with the output the size of the input.

    Args:
        images: `(H, W)`, `(H, W, C)` or `(N, H, W, C)`.
        angle: Degrees, counter-clockwise positive; a scalar or one per image.
        center: `(x, y)`; default the true centre ((W - 1) / 2, (H - 1) / 2), so
            that 90 degrees is an exact `np.rot90`. (Code written for OpenCV often
            passes (W / 2, H / 2), half a pixel off; pass it to match.)
        scale: Isotropic scale. Default 1.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: How points outside the input are filled (see
            `affine_transform`); default "constant".
        fill_value: The constant for "constant". Default 0.

    Returns:
        The rotated images, in the input's dtype.

    Example:
        >>> import numpy as np, baro.image
        >>> x = np.arange(4.0, dtype="float32").reshape(2, 2)
        >>> baro.image.rotate(x, 90).numpy()  # counter-clockwise, like np.rot90
        array([[1., 3.],
               [0., 2.]], dtype=float32)
    """
    x, _ = _as_images(images, "rotate")
    h, w = x.shape[-3:-1]
    if center is None:
        center = ((w - 1) / 2, (h - 1) / 2)
    angles = np.atleast_1d(np.asarray(to_numpy(angle.data if isinstance(angle, Tensor)
                                               else angle), dtype=np.float64))
    matrices = np.stack([get_rotation_matrix_2d(center, a, scale) for a in angles])
    return _warp(images, matrices, None, interpolation, fill_mode, fill_value,
                 False, "rotate")


def shift(images, dx, dy, interpolation: str = "bilinear",
          fill_mode: str = "constant", fill_value=0.0) -> Tensor:
    """Moves image content `dx` pixels right and `dy` pixels down.

    dst(x, y) = src(x - dx, y - dy), i.e. `warp_affine` with the matrix
    [[1, 0, dx], [0, 1, dy]]. Fractional shifts interpolate.

    Args:
        images: `(H, W)`, `(H, W, C)` or `(N, H, W, C)`.
        dx, dy: Pixels (negative: left / up); scalars or one per image.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: How uncovered pixels are filled; default "constant".
        fill_value: The constant for "constant". Default 0.

    Returns:
        The shifted images, in the input's dtype.

    Example:
        >>> import numpy as np, baro.image
        >>> x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
        >>> baro.image.shift(x, 1, 0).numpy()
        array([[0., 1., 2.]], dtype=float32)
    """
    dx, dy = np.broadcast_arrays(np.atleast_1d(np.asarray(dx, dtype=np.float64)),
                                 np.atleast_1d(np.asarray(dy, dtype=np.float64)))
    matrices = np.zeros((len(dx), 2, 3))
    matrices[:, 0, 0] = matrices[:, 1, 1] = 1.0
    matrices[:, 0, 2], matrices[:, 1, 2] = dx, dy
    return _warp(images, matrices, None, interpolation, fill_mode, fill_value,
                 False, "shift")


def flip_left_right(images) -> Tensor:
    """Mirrors images horizontally (`tf.image.flip_left_right`): the W axis of
    `(N, H, W, C)` or `(H, W, C)`."""
    x = as_tensor(images)
    batch_and_size(x.shape, None, "flip_left_right")
    return x[..., ::-1, :]


def flip_up_down(images) -> Tensor:
    """Flips images vertically (`tf.image.flip_up_down`): the H axis."""
    x = as_tensor(images)
    batch_and_size(x.shape, None, "flip_up_down")
    return x[..., ::-1, :, :]


def crop_to_bounding_box(images, offset_height: int, offset_width: int,
                         target_height: int, target_width: int) -> Tensor:
    """The window `[offset_height : offset_height + target_height,
    offset_width : offset_width + target_width]` (`tf.image.crop_to_bounding_box`).

    Raises:
        ValueError: If the window is empty or leaves the image.
    """
    x = as_tensor(images)
    _, h, w = batch_and_size(x.shape, None, "crop_to_bounding_box")
    if offset_height < 0 or offset_width < 0 or target_height < 1 or \
            target_width < 1 or offset_height + target_height > h or \
            offset_width + target_width > w:
        raise ValueError(
            f"crop_to_bounding_box: window rows {offset_height}.."
            f"{offset_height + target_height}, columns {offset_width}.."
            f"{offset_width + target_width} does not fit an image of {h}x{w}.")
    return x[..., offset_height:offset_height + target_height,
             offset_width:offset_width + target_width, :]


def central_crop(images, central_fraction: float) -> Tensor:
    """The centred window covering `central_fraction` of each side
    (`tf.image.central_crop`: the margin int((size - size * fraction) / 2) is
    removed from both ends).

    Raises:
        ValueError: Unless 0 < central_fraction <= 1.
    """
    if not 0.0 < central_fraction <= 1.0:
        raise ValueError(f"central_crop: central_fraction must be in (0, 1], "
                         f"received {central_fraction!r}.")
    x = as_tensor(images)
    _, h, w = batch_and_size(x.shape, None, "central_crop")
    top = int((h - h * central_fraction) / 2)
    left = int((w - w * central_fraction) / 2)
    return crop_to_bounding_box(x, top, left, h - 2 * top, w - 2 * left)


__all__ = [
    "BORDER_CONSTANT", "BORDER_REFLECT", "BORDER_REFLECT_101", "BORDER_REPLICATE",
    "BORDER_WRAP", "INTER_LINEAR", "INTER_NEAREST", "WARP_INVERSE_MAP",
    "affine_transform", "central_crop", "crop_to_bounding_box", "flip_left_right",
    "flip_up_down", "get_rotation_matrix_2d", "resize", "rotate", "shift",
    "warp_affine",
]
