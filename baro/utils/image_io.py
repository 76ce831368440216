"""Image files and arrays: `load_img`, `img_to_array`, `array_to_img`, `save_img`.

Keras's functions of the same names. Decoding, resizing and encoding use
Pillow, an optional extra (`pip install 'baro[image]'`), imported only when one
of these functions runs, so `import baro` never needs it. The Pillow helpers
here (`_pil`, filter tables) are shared with `image_dataset.py`.
"""

from __future__ import annotations

import io
import os
import pathlib
import uuid
import warnings

import numpy as np

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# Pillow filters by the names Keras's load_img accepts.
_PIL_FILTERS = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC",
                "hamming": "HAMMING", "box": "BOX", "lanczos": "LANCZOS"}
# image_dataset_from_directory takes tf.image.resize's names; the nearest
# Pillow filter stands in for each.
_RESIZE_FILTERS = {"bilinear": "BILINEAR", "nearest": "NEAREST",
                   "bicubic": "BICUBIC", "area": "BOX", "lanczos3": "LANCZOS",
                   "lanczos5": "LANCZOS", "gaussian": "BICUBIC",
                   "mitchellcubic": "BICUBIC"}
_PIL_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "This image function needs Pillow, an optional extra of baro: "
            "pip install 'baro[image]' (or pip install Pillow).") from None
    return Image


def _filter(Image, name: str, table: dict, caller: str):
    if name not in table:
        raise ValueError(f"{caller}: interpolation must be one of {sorted(table)}, "
                         f"received {name!r}.")
    resampling = getattr(Image, "Resampling", Image)
    return getattr(resampling, table[name])


def _data_format(data_format) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError('data_format must be "channels_last" or "channels_first", '
                         f"received {data_format!r}.")
    return data_format


def load_img(path, color_mode: str = "rgb", target_size=None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False):
    """Loads an image file as a PIL Image (Keras's `load_img`).

    Args:
        path: A path (str or pathlib.Path) or an `io.BytesIO` with the file.
        color_mode: "grayscale", "rgb" or "rgba": the image is converted to it
            (8-bit grayscale unless the file already is 16/32-bit grayscale).
        target_size: None (keep the size) or `(height, width)` to resize to.
        interpolation: Pillow filter for resizing: "nearest" (default),
            "bilinear", "bicubic", "hamming", "box" or "lanczos".
        keep_aspect_ratio: Resize without distortion: crop the centre to the
            target aspect ratio first.

    Returns:
        A PIL Image.

    Raises:
        ImportError: If Pillow is not installed.
        TypeError: If `path` is neither path-like nor a BytesIO.
        FileNotFoundError: If the file does not exist.
        ValueError: For an unknown `color_mode` or `interpolation`.
    """
    Image = _pil()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (str, bytes, pathlib.Path)):
        path = os.fsdecode(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"load_img: no image file at {path!r}.")
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"load_img: path must be a str, bytes, pathlib.Path or "
                        f"io.BytesIO, received {type(path).__name__}.")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode in ("rgb", "rgba"):
        if img.mode != color_mode.upper():
            img = img.convert(color_mode.upper())
    else:
        raise ValueError('load_img: color_mode must be "grayscale", "rgb" or '
                         f'"rgba", received {color_mode!r}.')
    if target_size is None:
        return img
    size = (int(target_size[1]), int(target_size[0]))
    if img.size == size:
        return img
    resample = _filter(Image, interpolation, _PIL_FILTERS, "load_img")
    box = _crop_box(img.size, size) if keep_aspect_ratio else None
    return img.resize(size, resample, box=box)


def _crop_box(size, target) -> tuple[int, int, int, int]:
    """The centred (left, top, right, bottom) window of `size` (w, h) with the
    aspect ratio of `target` (w, h), as large as fits."""
    width, height = size
    crop_w = min(width, height * target[0] // target[1])
    crop_h = min(height, width * target[1] // target[0])
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    return left, top, left + crop_w, top + crop_h


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """A PIL Image as a 3-D NumPy array (Keras's `img_to_array`).

    Args:
        img: A PIL Image.
        data_format: "channels_last" (default: (height, width, channels)) or
            "channels_first".
        dtype: Default "float32"; values are not rescaled (0..255 for 8-bit).

    Returns:
        Array of rank 3; grayscale images get a channel axis of size 1.

    Raises:
        ValueError: For an unknown data format or an image of unusual rank.
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    return x


def array_to_img(x, data_format: str | None = None, scale: bool = True,
                 dtype=None):
    """A 3-D array as a PIL Image (Keras's `array_to_img`).

    Args:
        x: Array of rank 3 with 1 (grayscale), 3 (RGB) or 4 (RGBA) channels.
        data_format: "channels_last" (default) or "channels_first".
        scale: Rescale the values to 0..255 (min to 0, max to 255) first.
        dtype: dtype to read `x` as (default float32).

    Returns:
        A PIL Image (mode "L", "I" for one channel above 255, "RGB" or "RGBA").

    Raises:
        ImportError: If Pillow is not installed.
        ValueError: For an array that is not rank 3 or has another number of
            channels.
    """
    Image = _pil()
    data_format = _data_format(data_format)
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"array_to_img expects one image of rank 3, received an "
                         f"array of shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: unsupported number of channels {channels} "
                     f"(shape {x.shape}); expected 1, 3 or 4.")


def save_img(path, x, data_format: str | None = None,
             file_format: str | None = None, scale: bool = True,
             **kwargs) -> None:
    """Saves a 3-D array as an image file (Keras's `save_img`), atomically.

    Args:
        path: Destination path.
        x: Array of rank 3 (see `array_to_img`).
        data_format: "channels_last" (default) or "channels_first".
        file_format: E.g. "png" or "jpeg"; default inferred from the file
            name's extension.
        scale: Rescale the values to 0..255 first (see `array_to_img`).
        **kwargs: Passed to Pillow's `Image.save` (e.g. `quality=90`).

    Raises:
        ImportError: If Pillow is not installed.
        ValueError: If the format is neither given nor known from the
            extension, or `x` is not an image array.
    """
    Image = _pil()
    path = os.fspath(path)
    if file_format is None:
        extension = os.path.splitext(path)[1].lower()
        file_format = Image.registered_extensions().get(extension)
        if file_format is None:
            raise ValueError(
                f"save_img: cannot tell the image format from {path!r}; pass "
                "file_format= (e.g. 'png') or use a known extension.")
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format.lower() in ("jpg", "jpeg"):
        warnings.warn("The JPEG format does not support RGBA images; converting "
                      "to RGB.", stacklevel=2)
        img = img.convert("RGB")
    file_format = "JPEG" if file_format.lower() == "jpg" else file_format
    # Write a temporary file beside the target, then rename: an interrupted
    # save never leaves a truncated image under the final name.
    # (open(..., "xb") rather than mkstemp: the file gets the usual
    # permissions, not mkstemp's owner-only 0600.)
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            img.save(f, format=file_format, **kwargs)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
