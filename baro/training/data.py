"""Feeding fit/evaluate/predict: arrays, generators and PyDatasets become batches.

Arrays are checked once, up front (equal sample counts, at least one sample), so a
mistake fails before any training; batches are slices (no copy) unless shuffled.
"""

from __future__ import annotations

import math

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
            yield tuple(map_structure(lambda a, p=pick: a[p], part)
                        for part in (self.x, self.y, self.sample_weight))

    def on_epoch_end(self) -> None:
        pass


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

    def epoch(self):
        steps = len(self)
        step = 0
        while steps is None or step < steps:
            if self.is_dataset:
                batch = self.data[step]
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


def make_batches(x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 class_weight=None, steps=None):
    """Chooses the adapter for `x`."""
    is_iterator = hasattr(x, "__next__") or isinstance(x, PyDataset) or (
        hasattr(x, "__getitem__") and hasattr(x, "__len__") and
        not isinstance(x, (list, tuple, dict, np.ndarray, Tensor)))
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
