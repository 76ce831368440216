"""`image_dataset_from_directory`: a folder of images per class as batches.

Keras's function: files are indexed in Keras's order (sorted paths, seeded
shuffle, the validation split at the end) and read lazily, batch by batch, by
an `ImageFolderDataset` (a `PyDataset`), with Pillow through `image_io.py`.
"""

from __future__ import annotations

import io
import os

import numpy as np

from baro.utils.dataset import PyDataset
from baro.utils.image_io import (
    _PIL_MODES,
    _RESIZE_FILTERS,
    ALLOWLIST_FORMATS,
    _crop_box,
    _data_format,
    _filter,
    _pil,
    img_to_array,
)


def _valid_files(directory: str, follow_links: bool):
    """(folder, name) of image files under `directory`, in sorted walk order."""
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(ALLOWLIST_FORMATS):
                yield os.path.join(root, name)


def _index_directory(directory, labels, class_names, follow_links):
    """(paths, integer labels or None, class names) in Keras's order."""
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d))
                   and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names) <= set(subdirs):
                raise ValueError(
                    "image_dataset_from_directory: class_names must name "
                    f"subfolders of {directory}: expected {subdirs} (or a "
                    f"subset), received {list(class_names)}.")
            subdirs = list(class_names)
        paths, found = [], []
        for index, subdir in enumerate(subdirs):
            files = list(_valid_files(os.path.join(directory, subdir),
                                      follow_links))
            paths += files
            found += [index] * len(files)
        return paths, np.asarray(found, dtype=np.int32), list(subdirs)
    if class_names is not None:
        raise ValueError(
            "image_dataset_from_directory: class_names can only be given with "
            f'labels="inferred", received labels={labels!r}.')
    paths = list(_valid_files(directory, follow_links))
    if labels is None:
        return paths, None, None
    if len(labels) != len(paths):
        raise ValueError(
            f"image_dataset_from_directory: {len(labels)} labels were given but "
            f"{directory} holds {len(paths)} image files; give one label per "
            "file, in the sorted order of their paths.")
    names = [str(label) for label in sorted(set(labels))]
    return paths, np.asarray(labels, dtype=np.int32), names


class ImageFolderDataset(PyDataset):
    """Batches of images read from files: what `image_dataset_from_directory`
    returns. Attributes `class_names` and `file_paths` as in Keras; item i is
    `(images, labels)` (images alone without labels), read when asked for."""

    def __init__(self, file_paths, labels, class_names, label_mode, color_mode,
                 batch_size, image_size, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio, data_format, shuffle, seed) -> None:
        super().__init__()
        self.file_paths = list(file_paths)
        self.labels = labels
        self.class_names = class_names
        self.label_mode = label_mode
        self.color_mode = color_mode
        self.batch_size = batch_size
        self.image_size = image_size
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.data_format = data_format
        self.shuffle = shuffle
        self._order = np.arange(len(self.file_paths))
        self._rng = np.random.RandomState(seed)

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.file_paths)
        return -(-len(self.file_paths) // self.batch_size)

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch {index} is out of range for a dataset of "
                             f"{len(self)} batches.")
        index %= len(self)
        if self.batch_size is None:
            picks = self._order[index:index + 1]
        else:
            picks = self._order[index * self.batch_size:
                                (index + 1) * self.batch_size]
        images = np.stack([self._load(self.file_paths[i]) for i in picks])
        labels = None if self.labels is None else self._encode(self.labels[picks])
        if self.batch_size is None:
            images = images[0]
            labels = None if labels is None else labels[0]
        return images if labels is None else (images, labels)

    def _encode(self, labels: np.ndarray) -> np.ndarray:
        if self.label_mode == "binary":
            return labels.astype(np.float32)[:, None]
        if self.label_mode == "categorical":
            return np.eye(len(self.class_names), dtype=np.float32)[labels]
        return labels.astype(np.int32)

    def _load(self, path: str) -> np.ndarray:
        Image = _pil()
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
            img.seek(0)  # an animated GIF gives its first frame, as in Keras
            img = img.convert(_PIL_MODES[self.color_mode])
        height, width = self.image_size
        resample = _filter(Image, self.interpolation, _RESIZE_FILTERS,
                           "image_dataset_from_directory")
        if self.pad_to_aspect_ratio:
            img = _pad_to_ratio(Image, img, (width, height))
        box = _crop_box(img.size, (width, height)) \
            if self.crop_to_aspect_ratio else None
        if img.size != (width, height) or box is not None:
            img = img.resize((width, height), resample, box=box)
        return img_to_array(img, self.data_format)

    def on_epoch_end(self) -> None:
        """Reshuffles the sample order when `shuffle=True`."""
        if self.shuffle:
            self._rng.shuffle(self._order)


def _pad_to_ratio(Image, img, target):
    """The image centred on a black canvas with the target's aspect ratio."""
    width, height = img.size
    canvas_w = max(width, -(-height * target[0] // target[1]))
    canvas_h = max(height, -(-width * target[1] // target[0]))
    if (canvas_w, canvas_h) == (width, height):
        return img
    canvas = Image.new(img.mode, (canvas_w, canvas_h))
    canvas.paste(img, ((canvas_w - width) // 2, (canvas_h - height) // 2))
    return canvas


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode: str = "rgb",
                                 batch_size: int | None = 32,
                                 image_size=(256, 256), shuffle: bool = True,
                                 seed: int | None = None,
                                 validation_split: float | None = None,
                                 subset: str | None = None,
                                 interpolation: str = "bilinear",
                                 follow_links: bool = False,
                                 crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False,
                                 data_format: str | None = None,
                                 verbose: bool = True):
    """Batches of images (and labels) from a folder with one subfolder per
    class (Keras's `image_dataset_from_directory`).

    With `main/cat/1.png, main/dog/2.jpg, ...` and `labels="inferred"`, the
    classes are the subfolder names in alphanumeric order (label 0 is "cat").
    Files with the extensions .bmp, .gif, .jpeg, .jpg and .png are read
    (animated GIFs: the first frame), converted to `color_mode` and resized to
    `image_size`. Images are float32 with values 0..255, not rescaled.

    The file order follows Keras: paths sorted, then (with `shuffle`)
    permuted by `np.random.RandomState(seed)`; a validation split takes the
    last `int(validation_split * n)` files. With `shuffle`, the order is
    reshuffled after every epoch (except a `subset="both"` validation set).

    Args:
        directory: The data folder.
        labels: "inferred" (from the subfolders), None (images only) or a
            list of integer labels, one per file in sorted path order.
        label_mode: "int" (int32, shape (batch,)), "categorical" (one-hot
            float32, (batch, num_classes)), "binary" (float32 0/1,
            (batch, 1); needs exactly 2 classes) or None (no labels).
        class_names: With inferred labels, the subfolders to use, in label
            order (default: all, sorted).
        color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
        batch_size: Images per batch (default 32); None gives single images.
        image_size: `(height, width)` (or one int) every image is resized to.
        shuffle: Shuffle the files (default True); False keeps sorted order.
        seed: Seed of the shuffle; required with `validation_split` and
            shuffling, so that the two subsets do not overlap.
        validation_split: Fraction in (0, 1) of files to hold out.
        subset: "training", "validation" or "both" (then a list of the two
            datasets is returned); required with `validation_split`.
        interpolation: "bilinear" (default), "nearest", "bicubic", "area",
            "lanczos3", "lanczos5", "gaussian" or "mitchellcubic"; Pillow's
            closest filter does the resizing (it smooths when shrinking, so
            values differ slightly from tf.image.resize's).
        follow_links: Follow symbolic links to subfolders.
        crop_to_aspect_ratio: Crop the centre to the target aspect ratio
            before resizing, so images are not distorted.
        pad_to_aspect_ratio: Pad (with black) to the target aspect ratio
            before resizing instead.
        data_format: "channels_last" (default) or "channels_first".
        verbose: Print how many files and classes were found.

    Returns:
        An `ImageFolderDataset` (a `baro.utils.PyDataset`) yielding `(images,
        labels)` batches, or images alone without labels; it has
        `class_names` and `file_paths`. With `subset="both"`, a list
        `[train_dataset, validation_dataset]`.

    Raises:
        ImportError: If Pillow is not installed.
        FileNotFoundError: If `directory` is not a folder.
        ValueError: For invalid arguments (Keras's checks), no images found,
            or labels that do not match the files.
    """
    _pil()
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"image_dataset_from_directory: {directory!r} is not a folder.")
    if labels is not None and not (isinstance(labels, str) and labels == "inferred"):
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError(
                'image_dataset_from_directory: labels must be "inferred", None, '
                f"or a list of integer labels, one per file; received {labels!r}.")
        labels = [int(label) for label in labels]
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            'image_dataset_from_directory: label_mode must be "int", '
            f'"categorical", "binary" or None, received {label_mode!r}.')
    if labels is None or label_mode is None:
        labels = label_mode = None
    if color_mode not in _PIL_MODES:
        raise ValueError(
            'image_dataset_from_directory: color_mode must be "grayscale", "rgb" '
            f'or "rgba", received {color_mode!r}.')
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            "image_dataset_from_directory: image_size must be (height, width), "
            f"received {image_size!r}.")
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = interpolation.lower()
    if interpolation not in _RESIZE_FILTERS:
        raise ValueError(
            f"image_dataset_from_directory: interpolation must be one of "
            f"{sorted(_RESIZE_FILTERS)}, received {interpolation!r}.")
    data_format = _data_format(data_format)
    if batch_size is not None and (isinstance(batch_size, bool) or
                                   not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError("image_dataset_from_directory: batch_size must be a "
                         f"positive integer or None, received {batch_size!r}.")
    _check_validation_split(validation_split, subset, shuffle, seed)

    if seed is None:
        seed = int(np.random.randint(1e6))
    paths, found_labels, names = _index_directory(directory, labels, class_names,
                                                  follow_links)
    if verbose:
        if found_labels is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    if shuffle:
        # Two generators with one seed, as Keras: paths and labels move alike.
        np.random.RandomState(seed).shuffle(paths)
        if found_labels is not None:
            np.random.RandomState(seed).shuffle(found_labels)
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(
            'image_dataset_from_directory: label_mode="binary" needs exactly 2 '
            f"classes, found {names}.")
    if label_mode in ("binary", "categorical") and len(found_labels) and (
            found_labels.min() < 0 or found_labels.max() >= len(names)):
        raise ValueError(
            f'image_dataset_from_directory: label_mode="{label_mode}" needs '
            f"labels 0 .. {len(names) - 1} (one per class), received labels "
            f"from {found_labels.min()} to {found_labels.max()}.")

    def make(part: str | None, part_shuffle: bool):
        part_paths, part_labels = _take_subset(paths, found_labels,
                                               validation_split, part, verbose)
        if not part_paths:
            which = "" if part is None else f"{part} "
            raise ValueError(
                f"image_dataset_from_directory: no {which}images found in "
                f"{directory} (allowed formats: {ALLOWLIST_FORMATS}).")
        return ImageFolderDataset(
            part_paths, part_labels, names, label_mode, color_mode, batch_size,
            image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio,
            data_format, part_shuffle, seed + 1)

    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)


def _check_validation_split(validation_split, subset, shuffle, seed) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError("image_dataset_from_directory: validation_split must be "
                         f"in (0, 1), received {validation_split}.")
    if bool(validation_split) != bool(subset):
        raise ValueError("image_dataset_from_directory: give validation_split and "
                         f"subset together; received validation_split="
                         f"{validation_split}, subset={subset!r}.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('image_dataset_from_directory: subset must be '
                         f'"training", "validation" or "both", received {subset!r}.')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "image_dataset_from_directory: with validation_split and shuffle, "
            "pass a seed, so that the training and validation subsets do not "
            "overlap.")


def _take_subset(paths, labels, validation_split, subset, verbose):
    if not validation_split:
        return paths, labels
    num_val = int(validation_split * len(paths))
    cut = len(paths) - num_val
    if subset == "training":
        if verbose:
            print(f"Using {cut} files for training.")
        return paths[:cut], None if labels is None else labels[:cut]
    if verbose:
        print(f"Using {num_val} files for validation.")
    return paths[cut:], None if labels is None else labels[cut:]
