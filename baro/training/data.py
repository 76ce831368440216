"""Feeding fit/evaluate/predict: arrays, generators, PyDatasets and datasets
(`tf.data`-style, or any re-iterable) become batches.

Arrays are checked once, up front (equal sample counts, at least one sample), so a
mistake fails before any training; batches are slices (no copy) unless shuffled.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from baro.backend import random as backend_random
from baro.core.tensor import Tensor
from baro.utils.dataset import PyDataset


def flatten(structure) -> list:
    if isinstance(structure, dict):
        return [leaf for k in structure for leaf in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def _is_numbers(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_numbers(v) for v in value)
    return isinstance(value, (int, float, bool, np.number))


def to_arrays(structure):
    """Tensors and number lists become NumPy arrays; lists of arrays stay lists."""
    if structure is None:
        return None
    if isinstance(structure, (list, tuple)) and not _is_numbers(structure):
        return [to_arrays(v) for v in structure]
    if isinstance(structure, dict):
        return {k: to_arrays(v) for k, v in structure.items()}
    if isinstance(structure, Tensor):
        return structure.numpy()
    return np.asarray(structure)


def unpack_x_y_sample_weight(data):
    """`(x,)`, `(x, y)` or `(x, y, sample_weight)` -> the three parts."""
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise ValueError(f"Data should be (x,), (x, y) or (x, y, sample_weight); "
                         f"received a tuple of {len(data)} elements.")
    return data, None, None


def _sample_count(name: str, structure) -> list[int]:
    counts = []
    for leaf in flatten(structure):
        if leaf is None:
            continue
        if np.ndim(leaf) == 0:
            raise ValueError(f"{name} must have a batch axis; received a scalar.")
        counts.append(int(np.shape(leaf)[0]))
    return counts


def check_cardinality(x, y=None, sample_weight=None) -> int:
    """The common number of samples; a clear error if the parts disagree."""
    sizes = {"x": _sample_count("x", x), "y": _sample_count("y", y),
             "sample_weight": _sample_count("sample_weight", sample_weight)}
    everything = {n for counts in sizes.values() for n in counts}
    if len(everything) > 1:
        detail = ", ".join(f"{name} sizes: {counts}" for name, counts in
                           sizes.items() if counts)
        raise ValueError(
            f"Data cardinality is ambiguous: {detail}. Make sure all arrays contain "
            "the same number of samples (x and y must have one entry per sample).")
    if not everything or everything == {0}:
        raise ValueError("The data is empty: x has no samples.")
    return everything.pop()


def class_weight_to_sample_weight(y, class_weight: dict) -> np.ndarray:
    """Per-sample weights from a {class: weight} dict, reading classes from y
    (integers, or one-hot / probabilities via argmax)."""
    y = np.asarray(flatten(y)[0])
    classes = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else \
        np.round(y.reshape(len(y), -1)[:, 0]).astype(np.int64)
    missing = set(np.unique(classes).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f"class_weight has no entry for classes {sorted(missing)}; "
                         f"it has {sorted(class_weight)}.")
    table = np.zeros(max(max(class_weight), int(classes.max())) + 1, np.float32)
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[classes]


def train_validation_split(arrays, validation_split: float):
    """Splits off the *last* fraction of the samples (before any shuffling)."""
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be in (0, 1), received "
                         f"{validation_split}.")
    n = check_cardinality(*arrays)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves an empty "
                         f"training or validation set for {n} samples.")

    def take(s):
        return map_structure(lambda a: a[:split_at], s), \
            map_structure(lambda a: a[split_at:], s)

    parts = [take(a) for a in arrays]
    return tuple(p[0] for p in parts), tuple(p[1] for p in parts)


class ArrayBatches:
    """Batches of in-memory arrays, reshuffled every epoch when asked."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None,
                 shuffle=False, class_weight=None, steps=None) -> None:
        self.x = to_arrays(x)
        self.y = to_arrays(y)
        self.sample_weight = to_arrays(sample_weight)
        self.size = check_cardinality(self.x, self.y, self.sample_weight)
        if class_weight is not None:
            if self.y is None:
                raise ValueError("class_weight needs targets y.")
            weights = class_weight_to_sample_weight(self.y, class_weight)
            self.sample_weight = weights if self.sample_weight is None else \
                np.asarray(self.sample_weight, np.float32) * weights
        self.batch_size = int(batch_size or 32)
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, received {batch_size}.")
        self.shuffle = shuffle
        self.steps = steps

    def __len__(self) -> int:
        per_epoch = math.ceil(self.size / self.batch_size)
        return per_epoch if self.steps is None else int(self.steps)

    @property
    def num_batches(self) -> int:
        """Batches per epoch (every adapter has `num_batches`)."""
        return len(self)

    def epoch(self):
        """Yields the batches of one epoch."""
        order = None
        if self.shuffle == "batch":
            starts = backend_random.permutation(len(self)) * self.batch_size
            order = np.concatenate([np.arange(s, min(s + self.batch_size, self.size))
                                    for s in starts])
        elif self.shuffle:
            order = backend_random.permutation(self.size)
        for step in range(len(self)):
            start = (step * self.batch_size) % self.size
            stop = min(start + self.batch_size, self.size)
            if order is None:
                pick = slice(start, stop)
            else:
                pick = order[start:stop]
            yield (_take(self.x, pick), _take(self.y, pick),
                   _take(self.sample_weight, pick))

    def on_epoch_end(self) -> None:
        pass


def _take(part, pick):
    """`part[pick]` for an array, or for every array of a structure."""
    if type(part) is np.ndarray:
        return part[pick]
    return map_structure(lambda a: a[pick], part)


class GeneratorBatches:
    """Batches from a Python generator/iterator, or from a PyDataset."""

    def __init__(self, data, steps=None) -> None:
        self.data = data
        self.steps = steps
        self.is_dataset = isinstance(data, PyDataset) or (
            hasattr(data, "__getitem__") and hasattr(data, "__len__")
            and not isinstance(data, (list, tuple, np.ndarray)))
        self._iterator = None if self.is_dataset else iter(data)

    def __len__(self) -> int | None:
        if self.steps is not None:
            return int(self.steps)
        return len(self.data) if self.is_dataset else None

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch, None when a generator's length is unknown."""
        return self.__len__()

    def epoch(self):
        steps = self.num_batches  # None: until the generator stops
        step = 0
        while steps is None or step < steps:
            if self.is_dataset:
                # steps_per_epoch beyond the dataset's length wraps around.
                batch = self.data[step % len(self.data)]
            else:
                try:
                    batch = next(self._iterator)
                except StopIteration:
                    return
            x, y, sw = unpack_x_y_sample_weight(batch)
            yield to_arrays(x), to_arrays(y), to_arrays(sw)
            step += 1

    def on_epoch_end(self) -> None:
        if self.is_dataset:
            self.data.on_epoch_end()


# tf.data's cardinality sentinels (duck-typed: training may not import baro.data).
_INFINITE, _UNKNOWN = -1, -2


def is_reiterable(x) -> bool:
    """A dataset: iterable afresh each epoch (`__iter__`, no `__next__`), and
    neither array-like nor a container of arrays."""
    return hasattr(x, "__iter__") and not hasattr(x, "__next__") and \
        not isinstance(x, (list, tuple, dict, str, bytes, np.ndarray, Tensor)) and \
        not hasattr(x, "__array__") and not hasattr(x, "shape")


def _dataset_batches(x) -> int | None:
    """The number of batches a dataset yields: -1 infinite, None unknown."""
    if hasattr(x, "cardinality"):
        n = int(x.cardinality())
        return None if n == _UNKNOWN else n
    try:
        return len(x)
    except TypeError:
        return None


class DatasetBatches:
    """Batches from a `baro.data.Dataset` (or tf.data.Dataset, or any iterable
    that can be iterated again): whatever it yields is a batch, `x`, `(x, y)` or
    `(x, y, sample_weight)`.

    Without `steps`, every epoch is a fresh pass. With `steps`, one iterator
    carries on across epochs (so `ds.repeat()` with `steps_per_epoch` streams);
    a finite dataset that runs out mid-epoch ends that epoch with a warning and
    the next epoch starts a new pass (Keras 3's rule).
    """

    def __init__(self, data, steps=None, class_weight=None) -> None:
        self.data = data
        self.steps = None if steps is None else int(steps)
        self.class_weight = class_weight
        self.size = _dataset_batches(data)
        if self.size == _INFINITE and self.steps is None:
            raise ValueError(
                "When passing an infinitely repeating dataset (built with "
                ".repeat()), specify the number of batches per epoch: "
                "steps_per_epoch= in fit (validation_steps= for validation_data, "
                "steps= in evaluate/predict), or drop the .repeat().")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be >= 1, received {self.steps}.")
        self._iterator = None
        self._served = 0

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch; None while a dataset's cardinality is unknown."""
        if self.steps is not None:
            return self.steps
        return self.size

    def __len__(self) -> int:
        n = self.num_batches
        if n is None:
            raise TypeError("The dataset's number of batches is unknown "
                            "(filter/from_generator); pass steps_per_epoch (steps= "
                            "in evaluate/predict).")
        return n

    def _new_pass(self):
        source = self.data.as_numpy_iterator() if \
            hasattr(self.data, "as_numpy_iterator") else self.data
        return iter(source)

    def _convert(self, batch):
        x, y, sw = unpack_x_y_sample_weight(batch)
        x, y, sw = to_arrays(x), to_arrays(y), to_arrays(sw)
        if self.class_weight is not None:
            if y is None:
                raise ValueError("class_weight needs targets: the dataset must "
                                 "yield (x, y) batches.")
            weights = class_weight_to_sample_weight(y, self.class_weight)
            sw = weights if sw is None else np.asarray(sw, np.float32) * weights
        return x, y, sw

    def epoch(self):
        """Yields the batches of one epoch."""
        if self.steps is None:
            for batch in self._new_pass():
                yield self._convert(batch)
            return
        served = 0
        while served < self.steps:
            if self._iterator is None:
                self._iterator = self._new_pass()
                self._served = 0
            try:
                batch = next(self._iterator)
            except StopIteration:
                finished = self._served
                self._iterator = None
                if self.size is None:
                    self.size = finished  # learned from a whole pass (as Keras 3)
                if served == 0 and finished > 0:
                    continue  # the last epoch used up the pass: start a new one
                warnings.warn(
                    "Your input ran out of data; interrupting the epoch. Make "
                    "sure the dataset can generate at least `steps_per_epoch * "
                    "epochs` batches: build it with .repeat().", UserWarning,
                    stacklevel=2)
                return
            self._served += 1
            served += 1
            yield self._convert(batch)
        if self.size is not None and self.size >= 0 and self._served >= self.size:
            # A whole pass served: the next epoch starts a new one, quietly.
            self._iterator = None

    def on_epoch_end(self) -> None:
        pass


def make_batches(x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 class_weight=None, steps=None):
    """Chooses the adapter for `x`.

    `batch_size` and `shuffle` apply to arrays only: a dataset is already batched
    and shuffled as it was built (as in Keras).
    """
    is_iterator = hasattr(x, "__next__") or isinstance(x, PyDataset) or (
        hasattr(x, "__getitem__") and hasattr(x, "__len__") and
        not isinstance(x, (list, tuple, dict, np.ndarray, Tensor)))
    if not is_iterator and is_reiterable(x):
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(
                    f"`{name}` argument is not supported when using a dataset as "
                    f"input: the dataset must yield (x, y) or (x, y, "
                    f"sample_weight) batches, e.g. Dataset.from_tensor_slices("
                    f"(x, y)).batch(32). Received {name} of type "
                    f"{type(value).__name__}.")
        return DatasetBatches(x, steps, class_weight)
    if is_iterator:
        if y is not None or sample_weight is not None:
            raise ValueError("When x is a generator or PyDataset it must yield the "
                             "targets too; do not pass y or sample_weight.")
        if class_weight is not None:
            raise ValueError("class_weight is supported for arrays only; put the "
                             "weights in the generator's sample_weight.")
        return GeneratorBatches(x, steps)
    if x is None:
        raise ValueError("No input data: pass x (and y) to fit/evaluate/predict.")
    return ArrayBatches(x, y, sample_weight, batch_size, shuffle, class_weight, steps)
