"""Dataset transformations that reorder, group or cut elements: batch, unbatch,
shuffle, repeat, take, skip, cache, prefetch (one small node class each).

Each node pulls from its input one pass at a time (`_elements`), and knows its
cardinality and element spec from its input's, with TensorFlow's rules.
`mapping.py` holds map/filter, `combining.py` zip/concatenate/enumerate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np

from baro.backend import random as backend_random
from baro.data import structure
from baro.data.dataset import (
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    as_int,
)
from baro.data.structure import TensorSpec


def _chunks(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


class UnaryDataset(Dataset):
    """A node over one input dataset; by default it passes everything through."""

    def __init__(self, input_dataset: Dataset) -> None:
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"Expected a baro.data.Dataset, received "
                            f"{type(input_dataset).__name__}.")
        self._input = input_dataset

    def _elements(self) -> Iterator:
        if self._indexed:
            return super()._elements()
        return self._input._elements()

    def _cardinality(self) -> int:
        return self._input._cardinality()

    def _compute_spec(self):
        return self._input.element_spec


class PrefetchDataset(UnaryDataset):
    """`prefetch`: the same elements (baro prepares batches in the same thread)."""

    _tf_name = "_PrefetchDataset"

    def __init__(self, input_dataset: Dataset) -> None:
        super().__init__(input_dataset)
        self._indexed = input_dataset._indexed

    def _index_source(self):
        return self._input._index_source()


class BatchDataset(UnaryDataset):
    """`batch`: consecutive elements stacked along a new first axis."""

    _tf_name = "_BatchDataset"

    def __init__(self, input_dataset: Dataset, batch_size, drop_remainder) -> None:
        super().__init__(input_dataset)
        self._batch_size = as_int(batch_size, "batch: batch_size")
        if self._batch_size < 1:
            raise ValueError(f"batch: batch_size must be >= 1, received "
                             f"{self._batch_size}.")
        self._drop = bool(drop_remainder)

    def _elements(self) -> Iterator:
        size = self._batch_size
        if self._input._indexed:
            arrays, indices = self._input._index_source()
            for chunk in _chunks(indices, size):
                if self._drop and len(chunk) < size:
                    return
                yield _gather(arrays, chunk)
            return
        for chunk in _chunks(self._input._elements(), size):
            if self._drop and len(chunk) < size:
                return
            yield _stack(chunk)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._batch_size if self._drop else math.ceil(n / self._batch_size)

    def _compute_spec(self):
        outer = self._batch_size if self._drop else None
        return structure.map_structure(
            lambda s: TensorSpec(None if s.shape is None else (outer, *s.shape),
                                 s.dtype), self._input.element_spec)


def _gather(arrays, rows: list):
    # Rows in order make a slice: a view instead of a copy.
    if rows[-1] - rows[0] == len(rows) - 1 and \
            all(b - a == 1 for a, b in itertools.pairwise(rows)):
        pick = slice(rows[0], rows[-1] + 1)
    else:
        pick = np.asarray(rows)
    return structure.map_structure(lambda a: a[pick], arrays)


def _stack(elements: list):
    columns = zip(*(structure.flatten(e) for e in elements), strict=True)
    leaves = []
    for component, column in enumerate(columns):
        first = column[0].shape
        for position, leaf in enumerate(column):
            if leaf.shape != first:
                raise ValueError(
                    f"batch: cannot stack elements of different shapes in component "
                    f"{component}: the first element has shape {first} and element "
                    f"{position} has shape {leaf.shape}. Bring the elements to one "
                    "shape in a map() first (e.g. resize or pad).")
        leaves.append(np.stack(column))
    return structure.pack_like(elements[0], leaves)


class UnbatchDataset(UnaryDataset):
    """`unbatch`: every element split along its first axis."""

    _tf_name = "_UnbatchDataset"

    def _elements(self) -> Iterator:
        for element in self._input._elements():
            leaves = structure.flatten(element)
            sizes = {leaf.shape[0] if leaf.ndim else None for leaf in leaves}
            if None in sizes or len(sizes) != 1:
                raise ValueError(
                    "unbatch: every component needs rank >= 1 and the same first "
                    f"size; received shapes {[leaf.shape for leaf in leaves]}.")
            for i in range(sizes.pop()):
                yield structure.map_structure(lambda a, i=i: a[i], element)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n == INFINITE_CARDINALITY:
            return n
        firsts = {None if s.shape is None or not s.shape else s.shape[0]
                  for s in structure.flatten(self._input.element_spec)}
        if n < 0 or None in firsts or len(firsts) != 1:
            return UNKNOWN_CARDINALITY
        return n * firsts.pop()

    def _compute_spec(self):
        return structure.map_structure(
            lambda s: TensorSpec(None if s.shape is None else s.shape[1:], s.dtype),
            self._input.element_spec)


class ShuffleDataset(UnaryDataset):
    """`shuffle`: TensorFlow's buffer shuffle, seeded, reshuffled per pass."""

    _tf_name = "_ShuffleDataset"

    def __init__(self, input_dataset: Dataset, buffer_size, seed,
                 reshuffle_each_iteration: bool) -> None:
        super().__init__(input_dataset)
        self._buffer_size = as_int(buffer_size, "shuffle: buffer_size")
        if self._buffer_size < 1:
            raise ValueError(f"shuffle: buffer_size must be >= 1, received "
                             f"{self._buffer_size}. Use the dataset size for a "
                             "full shuffle.")
        if seed is None:
            # Drawn now, from the global generator: reproducible after a global
            # seed, and different for each shuffle in a program (TF's op seeds).
            seed = int(backend_random.global_generator().integers(0, 2**31 - 1))
        self._seed = as_int(seed, "shuffle: seed")
        self._reshuffle = reshuffle_each_iteration
        self._passes = 0
        self._indexed = input_dataset._indexed

    def _generator(self) -> np.random.Generator:
        # Pass k draws from the stream (seed, k); without reshuffling every
        # pass replays stream (seed, 0).
        k = self._passes if self._reshuffle else 0
        self._passes += 1
        return np.random.default_rng([self._seed, k])

    def _index_source(self):
        arrays, indices = self._input._index_source()
        return arrays, _buffer_shuffle(indices, self._buffer_size, self._generator())

    def _elements(self) -> Iterator:
        if self._indexed:
            return super()._elements()
        return _buffer_shuffle(self._input._elements(), self._buffer_size,
                               self._generator())


def _buffer_shuffle(items, buffer_size: int, rng: np.random.Generator) -> Iterator:
    """Yields `items` through a buffer of `buffer_size`: each output is a uniform
    draw from the buffer, and its slot takes the next input."""
    iterator = iter(items)
    buffer = list(itertools.islice(iterator, buffer_size))
    draws: Iterator = iter(())
    for item in iterator:
        slot = next(draws, None)
        if slot is None:
            # Draw slots in blocks: one NumPy call per 1024 elements.
            draws = iter(rng.integers(0, len(buffer), 1024).tolist())
            slot = next(draws)
        yield buffer[slot]
        buffer[slot] = item
    # Input exhausted: what remains leaves in uniformly random order.
    for slot in rng.permutation(len(buffer)).tolist():
        yield buffer[slot]


class RepeatDataset(UnaryDataset):
    """`repeat`: `count` fresh passes over the input (forever when -1)."""

    _tf_name = "_RepeatDataset"

    def __init__(self, input_dataset: Dataset, count: int) -> None:
        super().__init__(input_dataset)
        self._count = count
        self._indexed = input_dataset._indexed

    def _passes(self, start_pass: Callable, first=None) -> Iterator:
        done = 0
        current = start_pass() if first is None else first
        while self._count < 0 or done < self._count:
            seen = False
            for item in current:
                seen = True
                yield item
            done += 1
            if not seen:  # repeating an empty dataset yields nothing, forever
                return
            current = start_pass()

    def _index_source(self):
        arrays, first = self._input._index_source()
        return arrays, self._passes(lambda: self._input._index_source()[1], first)

    def _elements(self) -> Iterator:
        if self._indexed:
            return super()._elements()
        return self._passes(self._input._elements)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        if self._count == 0:
            return 0
        return n if n < 0 else n * self._count


class TakeDataset(UnaryDataset):
    """`take`: the first `count` elements (-1: all)."""

    _tf_name = "_TakeDataset"

    def __init__(self, input_dataset: Dataset, count: int) -> None:
        super().__init__(input_dataset)
        self._count = count
        self._indexed = input_dataset._indexed

    def _limit(self, items) -> Iterator:
        return iter(items) if self._count < 0 else itertools.islice(items, self._count)

    def _index_source(self):
        arrays, indices = self._input._index_source()
        return arrays, self._limit(indices)

    def _elements(self) -> Iterator:
        if self._indexed:
            return super()._elements()
        return self._limit(self._input._elements())

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count if self._count >= 0 else n
        return n if self._count < 0 else min(n, self._count)


class SkipDataset(UnaryDataset):
    """`skip`: everything after the first `count` elements (-1: nothing)."""

    _tf_name = "_SkipDataset"

    def __init__(self, input_dataset: Dataset, count: int) -> None:
        super().__init__(input_dataset)
        self._count = count
        self._indexed = input_dataset._indexed

    def _drop(self, items) -> Iterator:
        return iter(()) if self._count < 0 else itertools.islice(items, self._count,
                                                                  None)

    def _index_source(self):
        arrays, indices = self._input._index_source()
        return arrays, self._drop(indices)

    def _elements(self) -> Iterator:
        if self._indexed:
            return super()._elements()
        return self._drop(self._input._elements())

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return 0 if self._count < 0 else max(0, n - self._count)


class CacheDataset(UnaryDataset):
    """`cache`: the first complete pass, remembered and replayed."""

    _tf_name = "_CacheDataset"

    def __init__(self, input_dataset: Dataset) -> None:
        super().__init__(input_dataset)
        self._indexed = input_dataset._indexed
        self._cached: list | None = None
        self._arrays = None

    def _record(self, items) -> Iterator:
        # Only a complete pass is kept: an abandoned one is discarded (as TF).
        seen = []
        for item in items:
            seen.append(item)
            yield item
        self._cached = seen

    def _index_source(self):
        if self._cached is not None:
            return self._arrays, iter(self._cached)
        self._arrays, indices = self._input._index_source()
        return self._arrays, self._record(indices)

    def _elements(self) -> Iterator:
        if self._indexed:
            return super()._elements()
        if self._cached is not None:
            return iter(self._cached)
        return self._record(self._input._elements())
