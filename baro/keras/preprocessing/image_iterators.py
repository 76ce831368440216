"""The iterators `ImageDataGenerator.flow` and `flow_from_directory` return
(Keras 2's `Iterator`, `NumpyArrayIterator`, `DirectoryIterator`).

Each is a `baro.utils.PyDataset`: `model.fit` reads batch `i` with
`iterator[i]` and calls `on_epoch_end` (a new order when shuffling). As in
Keras 2, `next(iterator)` (and a `for` loop) never ends: it cycles through
the data, reshuffling at the start of every pass.

Randomness: Keras 2 reseeds NumPy's global generator with `seed +
batches seen`. baro leaves the global generator alone: each iterator owns a
`np.random.RandomState(seed)` (seed None: one drawn from NumPy's global
generator, which `baro.utils.set_random_seed` seeds), used for the order and
the augmentation of its images. Same distributions as Keras; not the same
draws.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from baro.utils import PyDataset, img_to_array, load_img, save_img

WHITE_LIST_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < 1:
        raise ValueError(f"{name} must be a positive integer, received {value!r}.")
    return int(value)


class Iterator(PyDataset):
    """Batches of `n` samples in (optionally shuffled) order.

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`.

    Args:
        n: Number of samples.
        batch_size: Samples per batch (the last batch may be smaller).
        shuffle: Shuffle the order at every epoch (every pass for `next`).
        seed: Seed of this iterator's generator (see the module docstring).
    """

    white_list_formats = WHITE_LIST_FORMATS

    def __init__(self, n: int, batch_size: int, shuffle: bool,
                 seed: int | None) -> None:
        super().__init__()
        self.n = int(n)
        self.batch_size = _positive("batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.index_array = None
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        self._rng = np.random.RandomState(seed)

    def _set_index_array(self) -> None:
        self.index_array = self._rng.permutation(self.n) if self.shuffle \
            else np.arange(self.n)

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(f"Asked to retrieve batch {index}, but the iterator "
                             f"has {len(self)} batches.")
        if self.index_array is None:
            self._set_index_array()
        index %= len(self)
        self.total_batches_seen += 1
        picks = self.index_array[self.batch_size * index:
                                 self.batch_size * (index + 1)]
        return self._get_batches_of_transformed_samples(picks)

    def on_epoch_end(self) -> None:
        """A new sample order (reshuffled when `shuffle=True`)."""
        self._set_index_array()

    def reset(self) -> None:
        """Makes `next` start a new pass."""
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        # Keras 2's endless flow: a new order at the start of every pass.
        if self.batch_index == 0:
            self._set_index_array()
        current = (self.batch_index * self.batch_size) % self.n if self.n else 0
        if self.n > current + self.batch_size:
            self.batch_index += 1
        else:
            self.batch_index = 0
        self.total_batches_seen += 1
        return self._get_batches_of_transformed_samples(
            self.index_array[current:current + self.batch_size])

    next = __next__

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "_get_batches_of_transformed_samples.")

    def _augment(self, batch: np.ndarray) -> np.ndarray:
        """Random transforms, then standardization, of a batch of images."""
        generator = self.image_data_generator
        if generator is None:
            return batch
        shape = batch.shape[1:]
        params = [generator._random_params(shape, self._rng)
                  for _ in range(len(batch))]
        batch = generator._apply_transforms(batch, params)
        for i in range(len(batch)):
            batch[i] = generator.standardize(batch[i])
        return batch

    def _save(self, batch: np.ndarray, index_array) -> None:
        if self.save_to_dir is None:
            return
        for image, index in zip(batch, index_array, strict=True):
            name = (f"{self.save_prefix}_{index}_{self._rng.randint(10**7)}."
                    f"{self.save_format}")
            save_img(os.path.join(self.save_to_dir, name), image,
                     data_format=self.data_format, file_format=self.save_format)


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from arrays (`ImageDataGenerator.flow`).

    Item i is `(images, labels)`, `(images, labels, sample_weight)`, or the
    images alone when there are no labels. With the generator's
    `validation_split`, `subset="validation"` takes the *first*
    `int(n * validation_split)` samples and `"training"` the rest (Keras 2's
    rule, unlike `fit`'s `validation_split`, which holds out the last ones).

    Raises:
        ValueError: For images that are not rank 4, lengths that differ, an
            unknown subset, or (unless `ignore_class_split`) subsets whose
            label sets differ.
    """

    def __init__(self, x, y, image_data_generator, batch_size: int = 32,
                 shuffle: bool = False, sample_weight=None, seed: int | None = None,
                 data_format: str = "channels_last", save_to_dir=None,
                 save_prefix: str = "", save_format: str = "png",
                 subset: str | None = None, ignore_class_split: bool = False,
                 dtype: str = "float32") -> None:
        misc = []
        if isinstance(x, tuple):
            # Keras 2: (images, extra inputs) - extras pass through untouched.
            x, extra = x
            misc = [np.asarray(e) for e in (extra if isinstance(extra, list)
                                             else [extra])]
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.flow expects images of rank 4 "
                             f"(samples, rows, columns, channels); received an "
                             f"array of shape {x.shape}.")
        lengths = {"x": len(x), **{f"x[1][{i}]": len(m) for i, m in enumerate(misc)}}
        if y is not None:
            y = np.asarray(y)
            lengths["y"] = len(y)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)
            lengths["sample_weight"] = len(sample_weight)
        if len(set(lengths.values())) > 1:
            raise ValueError(f"ImageDataGenerator.flow: x, y and sample_weight must "
                             f"have the same length; received {lengths}.")
        channel_axis = 3 if data_format == "channels_last" else 1
        if x.shape[channel_axis] not in (1, 3, 4):
            warnings.warn(
                f"ImageDataGenerator.flow: expected 1, 3 or 4 channels on axis "
                f"{channel_axis} ({data_format}), received shape {x.shape}.",
                stacklevel=3)
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f'subset must be "training" or "validation", '
                                 f"received {subset!r}.")
            split = int(len(x) * image_data_generator._validation_split)
            if y is not None and not ignore_class_split and not np.array_equal(
                    np.unique(y[:split]), np.unique(y[split:])):
                raise ValueError(
                    "Training and validation subsets have different classes after "
                    "the split. If your arrays are sorted by label, shuffle them "
                    "first (or pass ignore_class_split=True).")
            part = slice(None, split) if subset == "validation" else \
                slice(split, None)
            x = x[part]
            misc = [m[part] for m in misc]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x, self.y, self.x_misc = x, y, misc
        self.sample_weight = sample_weight
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.dtype = dtype
        super().__init__(len(x), batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch = self._augment(self.x[index_array].astype(self.dtype))
        self._save(batch, index_array)
        inputs = batch if not self.x_misc else \
            [batch] + [m[index_array] for m in self.x_misc]
        if self.y is None:
            return inputs
        if self.sample_weight is None:
            return inputs, self.y[index_array]
        return inputs, self.y[index_array], self.sample_weight[index_array]


class DirectoryIterator(Iterator):
    """Batches of augmented images read from a folder with one subfolder per
    class (`ImageDataGenerator.flow_from_directory`).

    Files with the extensions png, jpg, jpeg, bmp, ppm, tif and tiff are
    found in sorted order (subfolders walked recursively), resized to
    `target_size` when loaded. With the generator's `validation_split`,
    `subset="validation"` takes the first `int(validation_split * files)` of
    each class and `"training"` the rest.

    Attributes:
        classes: int32 label of every file, in file order (also `labels`).
        class_indices: dict class name -> label.
        filenames: File paths relative to `directory`; `filepaths`: full.
        samples: Number of files. `num_classes`: number of classes.
        image_shape: `target_size` plus the channels of `color_mode`.

    Raises:
        ImportError: If Pillow is not installed.
        FileNotFoundError: If `directory` is not a folder.
        ValueError: For an unknown color mode, class mode or subset, or a
            class folder that does not exist.
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode: str = "rgb", classes=None,
                 class_mode: str | None = "categorical", batch_size: int = 32,
                 shuffle: bool = True, seed: int | None = None,
                 data_format: str = "channels_last", save_to_dir=None,
                 save_prefix: str = "", save_format: str = "png",
                 follow_links: bool = False, subset: str | None = None,
                 interpolation: str = "nearest", keep_aspect_ratio: bool = False,
                 dtype: str = "float32") -> None:
        directory = os.fspath(directory)
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"flow_from_directory: {directory!r} is not a "
                                    "folder.")
        if color_mode not in _CHANNELS:
            raise ValueError(f'flow_from_directory: color_mode must be "rgb", '
                             f'"rgba" or "grayscale", received {color_mode!r}.')
        if class_mode not in CLASS_MODES:
            raise ValueError(f"flow_from_directory: class_mode must be one of "
                             f"{CLASS_MODES}, received {class_mode!r}.")
        split = None
        if subset is not None:
            fraction = image_data_generator._validation_split
            if subset == "validation":
                split = (0.0, fraction)
            elif subset == "training":
                split = (fraction, 1.0)
            else:
                raise ValueError(f'subset must be "training" or "validation", '
                                 f"received {subset!r}.")
        if classes is None:
            classes = [d for d in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, d))]
        self.directory = directory
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.num_classes = len(classes)
        self.filenames, labels = [], []
        for name in classes:
            folder = os.path.join(directory, name)
            if not os.path.isdir(folder):
                raise ValueError(f"flow_from_directory: class {name!r} has no "
                                 f"folder {folder!r}.")
            files = self._class_files(folder, follow_links)
            if split is not None:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            self.filenames += [os.path.join(name, os.path.relpath(f, folder))
                               for f in files]
            labels += [self.class_indices[name]] * len(files)
        self.classes = np.asarray(labels, dtype=np.int32)
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} "
              "classes.")
        self.target_size = tuple(int(s) for s in target_size)
        self.color_mode = color_mode
        self.class_mode = class_mode
        self.data_format = data_format
        channels = (_CHANNELS[color_mode],)
        self.image_shape = self.target_size + channels \
            if data_format == "channels_last" else channels + self.target_size
        self.image_data_generator = image_data_generator
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        self.dtype = dtype
        super().__init__(self.samples, batch_size, shuffle, seed)

    @staticmethod
    def _class_files(folder: str, follow_links: bool) -> list[str]:
        suffixes = tuple("." + ext for ext in WHITE_LIST_FORMATS)
        found = []
        walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda e: e[0])
        for root, _, files in walk:
            found += [os.path.join(root, f) for f in sorted(files)
                      if f.lower().endswith(suffixes)]
        return found

    @property
    def filepaths(self) -> list[str]:
        """Full paths of the files, in `filenames` order."""
        return [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def labels(self) -> np.ndarray:
        """The label of every file (`classes`)."""
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        paths = self.filepaths
        batch = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            img = load_img(paths[j], color_mode=self.color_mode,
                           target_size=self.target_size,
                           interpolation=self.interpolation,
                           keep_aspect_ratio=self.keep_aspect_ratio)
            batch[i] = img_to_array(img, data_format=self.data_format)
        batch = self._augment(batch)
        self._save(batch, index_array)
        if self.class_mode is None:
            return batch
        labels = self.classes[index_array]
        if self.class_mode == "input":
            return batch, batch.copy()
        if self.class_mode in ("binary", "sparse"):
            return batch, labels.astype(self.dtype)
        return batch, np.eye(self.num_classes, dtype=self.dtype)[labels]


__all__ = ["DirectoryIterator", "Iterator", "NumpyArrayIterator"]
