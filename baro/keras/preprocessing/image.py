"""`keras.preprocessing.image` (Keras 2): `ImageDataGenerator`, its iterators,
the affine helpers, and the image file functions (`load_img`, ...).

The geometry follows the latest Keras 2 code (tf.keras 2.x, kept in Keras 3
as `keras.legacy`): one matrix per image, rotation R(theta), then a shift,
a shear and a zoom, about the image centre, in (x = column, y = row)
coordinates; each output pixel reads the input at that matrix times its own
position. The warps run through `baro.image.affine_transform`, a whole batch
at once. Two Keras bugs are not copied (see `ImageDataGenerator`).
"""

from __future__ import annotations

import warnings

import numpy as np

from baro.backend import floatx
from baro.image import affine_transform
from baro.keras.preprocessing.image_iterators import (
    DirectoryIterator,
    Iterator,
    NumpyArrayIterator,
)
from baro.utils import array_to_img, img_to_array, load_img, save_img

FILL_MODES = ("constant", "nearest", "reflect", "wrap")
_INTERPOLATION = {0: "nearest", 1: "bilinear"}


def _transform_matrix(theta=0.0, tx=0.0, ty=0.0, shear=0.0, zx=1.0, zy=1.0,
                      height: int = 1, width: int = 1) -> np.ndarray | None:
    """The 3x3 map from output (x, y) to input (x, y), or None for identity.

    M = C R(theta) T(tx, ty) S(shear) Z(zx, zy) C^-1, C moving the origin to
    the centre ((width - 1) / 2, (height - 1) / 2), as Keras composes it.
    """
    m = np.eye(3)
    if theta:
        a = np.deg2rad(theta)
        m = m @ [[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]]
    if tx or ty:
        m = m @ [[1, 0, tx], [0, 1, ty], [0, 0, 1]]
    if shear:
        s = np.deg2rad(shear)
        m = m @ [[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]
    if zx != 1 or zy != 1:
        m = m @ np.diag([zx, zy, 1.0])
    if np.array_equal(m, np.eye(3)):
        return None
    cx, cy = (width - 1) / 2, (height - 1) / 2
    centre = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1]])
    back = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    return centre @ m @ back


def _warp(images: np.ndarray, matrices: list, fill_mode: str, cval: float,
          order: int) -> np.ndarray:
    """Warps (N, H, W, C) images by one 3x3 matrix each (None: unchanged)."""
    moved = [i for i, m in enumerate(matrices) if m is not None]
    if not moved:
        return images
    rows = np.array([[m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2], 0, 0]
                     for m in (matrices[i] for i in moved)])
    out = images.copy()
    out[moved] = affine_transform(images[moved], rows,
                                  interpolation=_INTERPOLATION[order],
                                  fill_mode=fill_mode, fill_value=cval).numpy()
    return out


def _check_order(order) -> int:
    if order not in _INTERPOLATION:
        raise ValueError(f"interpolation_order must be 0 (nearest) or 1 (bilinear) "
                         f"in baro, received {order!r}.")
    return int(order)


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1,
                           row_axis: int = 1, col_axis: int = 2,
                           channel_axis: int = 0, fill_mode: str = "nearest",
                           cval: float = 0.0, order: int = 1) -> np.ndarray:
    """Rotates, shifts, shears and zooms one image (Keras 2's function).

    Output pixel (x, y) reads the input at M (x, y), M = R(theta) T(tx, ty)
    S(shear) Z(zx, zy) about the image centre: a positive `theta` turns the
    content counter-clockwise, a positive `tx` moves it left (the output reads
    `tx` pixels further right), `zx > 1` shrinks it horizontally.

    Args:
        x: One image, rank 3.
        theta: Rotation in degrees. tx, ty: Shifts in pixels along x
            (columns) and y (rows). shear: Shear angle in degrees.
        zx, zy: Zoom factors along x and y.
        row_axis, col_axis, channel_axis: The axes of `x` (Keras's defaults
            are channels-first: 1, 2, 0).
        fill_mode: "constant", "nearest" (default), "reflect" or "wrap".
        cval: The value outside the image for "constant".
        order: 0 (nearest) or 1 (bilinear, default).

    Returns:
        The transformed image, same shape and dtype.

    Raises:
        ValueError: For axes that are not a permutation of 0, 1, 2, a rank
            other than 3, or an unknown fill mode or order.

    Example:
        >>> import numpy as np
        >>> from baro.keras.preprocessing.image import apply_affine_transform
        >>> x = np.arange(9.0, dtype="float32").reshape(3, 3, 1)
        >>> apply_affine_transform(x, tx=1, row_axis=0, col_axis=1,
        ...                        channel_axis=2)[..., 0]
        array([[1., 2., 2.],
               [4., 5., 5.],
               [7., 8., 8.]], dtype=float32)
    """
    x = np.asarray(x)
    if x.ndim != 3 or sorted((row_axis, col_axis, channel_axis)) != [0, 1, 2]:
        raise ValueError(f"apply_affine_transform expects one image of rank 3 with "
                         f"row_axis, col_axis, channel_axis a permutation of 0, 1, "
                         f"2; received shape {x.shape} and axes {row_axis}, "
                         f"{col_axis}, {channel_axis}.")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"fill_mode must be one of {FILL_MODES}, received "
                         f"{fill_mode!r}.")
    hwc = np.moveaxis(x, (row_axis, col_axis, channel_axis), (0, 1, 2))
    matrix = _transform_matrix(theta, tx, ty, shear, zx, zy, *hwc.shape[:2])
    out = _warp(hwc[None], [matrix], fill_mode, cval, _check_order(order))[0]
    return np.moveaxis(out, (0, 1, 2), (row_axis, col_axis, channel_axis))


def apply_channel_shift(x, intensity: float, channel_axis: int = 0) -> np.ndarray:
    """Adds `intensity` to every channel, clipped to the image's original
    minimum and maximum (Keras 2's function)."""
    x = np.asarray(x)
    return np.clip(x + intensity, np.min(x), np.max(x))


def apply_brightness_shift(x, brightness: float, scale: bool = True) -> np.ndarray:
    """Multiplies an image's brightness by `brightness` (Keras 2's function).

    As Keras (which goes through Pillow): the image becomes 8-bit first,
    stretched to 0..255 when `scale` is True or its values leave 0..255 and
    truncated otherwise; the factor is applied and clipped to 0..255 in 8 bits;
    without `scale`, a stretched image is mapped back to its range. So values
    in 0..1 lose their precision unless `scale=True`, as in Keras.

    Returns:
        float32 image of the same shape.
    """
    x = np.asarray(x, dtype=np.float32)
    low, high = float(np.min(x)), float(np.max(x))
    stretch = low < 0 or high > 255
    pixels = x
    if stretch or scale:
        pixels = x - low
        top = float(np.max(pixels))
        pixels = pixels / top * 255 if top else pixels
    # Pillow's blend with black: trunc(factor * v), computed in float32.
    pixels = np.floor(np.float32(brightness) * pixels.astype(np.uint8)
                      .astype(np.float32))
    pixels = np.clip(pixels, 0, 255).astype(np.float32)
    if not scale and stretch:
        pixels = pixels / 255 * (high - low) + low
    return pixels


class ImageDataGenerator:
    """Batches of augmented, standardized images (Keras 2's class).

    For each image a random transform is drawn (rotation in
    `±rotation_range` degrees, shifts, shear, zoom, flips, channel shift,
    brightness) and applied; then `standardize` runs (`preprocessing_function`,
    `rescale`, sample-wise then feature-wise centring and scaling, ZCA).
    `flow` and `flow_from_directory` return iterators that `model.fit`
    accepts. Shift ranges: a float < 1 is a fraction of the image size, >= 1
    pixels (uniform); an int n draws whole pixels from -(n-1) .. n-1; a list
    draws one of its values with a random sign.

    Differences from Keras 2 (tf.keras 2.x), on purpose:
    `width_shift_range` moves images horizontally by a fraction of their
    width and `height_shift_range` vertically (tf.keras swaps the two,
    keras-team/keras#17398), and the rotation centre is the image centre also
    for non-square images. Interpolation is bilinear or nearest (orders 0 and
    1); "constant" mode blends the fill value into the border pixel as
    `baro.image.affine_transform` does, where SciPy's does not.

    Args:
        featurewise_center, featurewise_std_normalization: Subtract the mean /
            divide by the std per channel, computed by `fit`.
        samplewise_center, samplewise_std_normalization: The same per image.
        zca_whitening, zca_epsilon: ZCA whitening (from `fit`), its epsilon.
        rotation_range: Degrees. width_shift_range, height_shift_range: See
            above. brightness_range: (low, high) factors or None.
        shear_range: Degrees. zoom_range: float z ([1 - z, 1 + z]) or
            (low, high). channel_shift_range: Intensity added to channels.
        fill_mode: "nearest" (default), "constant", "reflect" or "wrap".
        cval: Fill value for "constant".
        horizontal_flip, vertical_flip: Flip half of the images.
        rescale: Factor multiplied in (e.g. 1/255), after the transforms.
        preprocessing_function: Function applied to each image first.
        data_format: "channels_last" (default) or "channels_first".
        validation_split: Fraction held out for `subset="validation"`.
        interpolation_order: 1 (bilinear, default) or 0 (nearest).
        dtype: Output dtype (default `floatx()`).

    Raises:
        ValueError: For an invalid range, fill mode, order, data format or
            validation split.

    Example:
        >>> import numpy as np
        >>> from baro.keras.preprocessing.image import ImageDataGenerator
        >>> gen = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True)
        >>> x = np.full((10, 4, 4, 1), 255, dtype="uint8")
        >>> it = gen.flow(x, np.arange(10), batch_size=4, seed=0)
        >>> images, labels = it[0]
        >>> len(it), images.shape, float(images.max())
        (3, (4, 4, 4, 1), 1.0)
    """

    def __init__(self, featurewise_center: bool = False,
                 samplewise_center: bool = False,
                 featurewise_std_normalization: bool = False,
                 samplewise_std_normalization: bool = False,
                 zca_whitening: bool = False, zca_epsilon: float = 1e-6,
                 rotation_range: float = 0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None,
                 shear_range: float = 0.0, zoom_range=0.0,
                 channel_shift_range: float = 0.0, fill_mode: str = "nearest",
                 cval: float = 0.0, horizontal_flip: bool = False,
                 vertical_flip: bool = False, rescale: float | None = None,
                 preprocessing_function=None, data_format: str | None = None,
                 validation_split: float = 0.0, interpolation_order: int = 1,
                 dtype=None) -> None:
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError('data_format must be "channels_last" or '
                             f'"channels_first", received {data_format!r}.')
        if fill_mode not in FILL_MODES:
            raise ValueError(f"ImageDataGenerator: fill_mode must be one of "
                             f"{FILL_MODES}, received {fill_mode!r}.")
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(f"ImageDataGenerator: validation_split must be strictly "
                             f"between 0 and 1, received {validation_split}.")
        if np.ndim(zoom_range) == 0:
            zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) != 2:
            raise ValueError(f"ImageDataGenerator: zoom_range must be a float or "
                             f"two floats, received {zoom_range!r}.")
        if brightness_range is not None and (
                np.ndim(brightness_range) != 1 or len(brightness_range) != 2):
            raise ValueError(f"ImageDataGenerator: brightness_range must be two "
                             f"floats or None, received {brightness_range!r}.")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.zoom_range = [float(zoom_range[0]), float(zoom_range[1])]
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = data_format
        self.interpolation_order = _check_order(interpolation_order)
        self.dtype = np.dtype(dtype or floatx()).name
        self._validation_split = validation_split
        if data_format == "channels_last":
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        else:
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        self.mean = self.std = self.zca_whitening_matrix = None
        self._implied_settings()
        self._rng = np.random.RandomState(int(np.random.randint(2**31 - 1)))

    def _implied_settings(self) -> None:
        # Keras 2 turns these on (with these warnings) when they are implied.
        def implied(flag: str, by: str) -> None:
            setattr(self, flag, True)
            warnings.warn(f"This ImageDataGenerator specifies `{by}`, which "
                          f"overrides setting of `{flag}`.", stacklevel=4)

        if self.zca_whitening:
            if not self.featurewise_center:
                implied("featurewise_center", "zca_whitening")
            if self.featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, "
                              "which overrides setting of "
                              "`featurewise_std_normalization`.", stacklevel=3)
        if self.featurewise_std_normalization and not self.featurewise_center:
            implied("featurewise_center", "featurewise_std_normalization")
        if self.samplewise_std_normalization and not self.samplewise_center:
            implied("samplewise_center", "samplewise_std_normalization")

    # -- the flows ------------------------------------------------------------
    def flow(self, x, y=None, batch_size: int = 32, shuffle: bool = True,
             sample_weight=None, seed: int | None = None, save_to_dir=None,
             save_prefix: str = "", save_format: str = "png",
             ignore_class_split: bool = False,
             subset: str | None = None) -> NumpyArrayIterator:
        """Batches of augmented images from arrays; see `NumpyArrayIterator`.

        `x` is `(samples, rows, columns, channels)` (or a tuple `(images,
        extra_inputs)` whose extras pass through); `y` labels, optional;
        `save_to_dir` writes every augmented image as a PNG.
        """
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle,
            sample_weight=sample_weight, seed=seed, data_format=self.data_format,
            save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, subset=subset,
            ignore_class_split=ignore_class_split, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256),
                            color_mode: str = "rgb", classes=None,
                            class_mode: str | None = "categorical",
                            batch_size: int = 32, shuffle: bool = True,
                            seed: int | None = None, save_to_dir=None,
                            save_prefix: str = "", save_format: str = "png",
                            follow_links: bool = False, subset: str | None = None,
                            interpolation: str = "nearest",
                            keep_aspect_ratio: bool = False) -> DirectoryIterator:
        """Batches of augmented images from a folder with one subfolder per
        class; see `DirectoryIterator`. `class_mode`: "categorical" (one-hot),
        "binary" or "sparse" (labels), "input" (the images), None (no labels).
        """
        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode,
            classes=classes, class_mode=class_mode, batch_size=batch_size,
            shuffle=shuffle, seed=seed, data_format=self.data_format,
            save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio,
            dtype=self.dtype)

    # -- random transforms ----------------------------------------------------
    @staticmethod
    def _shift(shift_range, size: int, rng) -> float:
        if not np.any(shift_range):
            return 0
        try:  # an int or a list: whole values, random sign (Keras's rule)
            amount = rng.choice(shift_range) * rng.choice([-1, 1])
        except ValueError:  # a float
            amount = rng.uniform(-shift_range, shift_range)
        return amount * size if np.max(shift_range) < 1 else amount

    def _random_params(self, img_shape, rng) -> dict:
        rows, cols = img_shape[self.row_axis - 1], img_shape[self.col_axis - 1]
        # Drawn in Keras's order (rotation, height shift, width shift, shear,
        # zoom, flips, channel shift, brightness), so a seed gives its values.
        theta = rng.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        ty = self._shift(self.height_shift_range, rows, rng)
        tx = self._shift(self.width_shift_range, cols, rng)
        shear = rng.uniform(-self.shear_range, self.shear_range) \
            if self.shear_range else 0
        zx, zy = (1, 1) if self.zoom_range == [1.0, 1.0] else \
            rng.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = bool(rng.random_sample() < 0.5) and self.horizontal_flip
        flip_vertical = bool(rng.random_sample() < 0.5) and self.vertical_flip
        channel_shift = None
        if self.channel_shift_range != 0:
            channel_shift = rng.uniform(-self.channel_shift_range,
                                        self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = rng.uniform(*self.brightness_range)
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx,
                "zy": zy, "flip_horizontal": flip_horizontal,
                "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def get_random_transform(self, img_shape, seed: int | None = None) -> dict:
        """Random parameters for one image: a dict with "theta" (degrees),
        "tx" / "ty" (pixels along columns / rows), "shear", "zx", "zy",
        "flip_horizontal", "flip_vertical", "channel_shift_intensity" and
        "brightness" (None when off). `seed` makes this call reproducible."""
        rng = self._rng if seed is None else np.random.RandomState(seed)
        return self._random_params(img_shape, rng)

    def _apply_transforms(self, batch: np.ndarray, params: list) -> np.ndarray:
        channels_first = self.data_format == "channels_first"
        x = np.moveaxis(batch, 1, 3) if channels_first else batch
        height, width = x.shape[1:3]
        matrices = [_transform_matrix(p.get("theta", 0), p.get("tx", 0),
                                      p.get("ty", 0), p.get("shear", 0),
                                      p.get("zx", 1), p.get("zy", 1), height, width)
                    for p in params]
        x = _warp(np.ascontiguousarray(x), matrices, self.fill_mode, self.cval,
                  self.interpolation_order)
        for i, p in enumerate(params):
            if p.get("channel_shift_intensity") is not None:
                x[i] = apply_channel_shift(x[i], p["channel_shift_intensity"])
            if p.get("flip_horizontal", False):
                x[i] = x[i, :, ::-1]
            if p.get("flip_vertical", False):
                x[i] = x[i, ::-1]
            if p.get("brightness") is not None:
                x[i] = apply_brightness_shift(x[i], p["brightness"], False)
        return np.moveaxis(x, 3, 1) if channels_first else x

    def apply_transform(self, x, transform_parameters: dict) -> np.ndarray:
        """Applies the transform described by a `get_random_transform` dict
        (missing keys mean "no change") to one image."""
        x = np.asarray(x)
        return self._apply_transforms(x[None].astype(self.dtype),
                                      [transform_parameters])[0]

    def random_transform(self, x, seed: int | None = None) -> np.ndarray:
        """One image under a random transform (see `get_random_transform`)."""
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    # -- standardization ------------------------------------------------------
    def standardize(self, x) -> np.ndarray:
        """Applies `preprocessing_function`, `rescale`, the sample-wise and the
        fitted feature-wise normalization (in place for arrays of `dtype`)."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        x = np.asarray(x, dtype=self.dtype)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for flag, stat in (("featurewise_center", self.mean),
                           ("featurewise_std_normalization", self.std),
                           ("zca_whitening", self.zca_whitening_matrix)):
            if getattr(self, flag) and stat is None:
                warnings.warn(f"This ImageDataGenerator specifies `{flag}`, but it "
                              "hasn't been fit on any training data. Fit it first "
                              "by calling `.fit(numpy_data)`.", stacklevel=2)
        if self.featurewise_center and self.mean is not None:
            x -= self.mean
        if self.featurewise_std_normalization and self.std is not None:
            x /= self.std + 1e-6
        if self.zca_whitening and self.zca_whitening_matrix is not None:
            flat = x.reshape(-1, int(np.prod(x.shape[-3:])))
            x = (flat @ self.zca_whitening_matrix).reshape(x.shape).astype(self.dtype)
        return x

    def fit(self, x, augment: bool = False, rounds: int = 1,
            seed: int | None = None) -> None:
        """Computes the feature-wise mean, std and ZCA matrix from sample
        images (after `rescale`; over `rounds` augmented copies with
        `augment=True`).

        Raises:
            ValueError: If `x` is not rank 4.
        """
        x = np.array(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit expects images of rank 4, "
                             f"received an array of shape {x.shape}.")
        if self.rescale:
            x *= self.rescale
        if augment:
            rng = self._rng if seed is None else np.random.RandomState(seed)
            copies = [self._apply_transforms(
                x.copy(), [self._random_params(x.shape[1:], rng) for _ in x])
                for _ in range(rounds)]
            x = np.concatenate(copies)
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(len(x), -1)
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(len(x)) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv) @ u.T


__all__ = [
    "DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator",
    "apply_affine_transform", "apply_brightness_shift", "apply_channel_shift",
    "array_to_img", "img_to_array", "load_img", "save_img",
]
