"""Datasets side by side or one after another: `zip`, `concatenate`, `enumerate`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from baro.data import structure
from baro.data.dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from baro.data.structure import TensorSpec
from baro.data.transforms import UnaryDataset


class EnumerateDataset(UnaryDataset):
    """`enumerate`: `(position, element)` pairs, positions as int64."""

    # TensorFlow builds it as zip(range(start, ...), dataset).
    _tf_name = "_ZipDataset"

    def __init__(self, input_dataset: Dataset, start: int) -> None:
        super().__init__(input_dataset)
        self._start = start

    def _elements(self) -> Iterator:
        for i, element in enumerate(self._input._elements(), self._start):
            yield np.asarray(i, np.int64), element

    def _compute_spec(self):
        return TensorSpec((), np.int64), self._input.element_spec


class ZipDataset(Dataset):
    """`Dataset.zip`: elements of several datasets side by side."""

    _tf_name = "_ZipDataset"

    def __init__(self, datasets) -> None:
        self._structure = datasets
        self._inputs = structure.flatten(datasets)
        for item in self._inputs:
            if not isinstance(item, Dataset):
                raise TypeError(f"Dataset.zip expects datasets (or a tuple/dict of "
                                f"them); received {type(item).__name__}.")

    def _elements(self) -> Iterator:
        iterators = [d._elements() for d in self._inputs]
        while True:
            items = []
            for iterator in iterators:
                item = next(iterator, None)
                if item is None:
                    return
                items.append(item)
            yield structure.pack_like(self._structure, items)

    def _cardinality(self) -> int:
        result = INFINITE_CARDINALITY
        for dataset in self._inputs:
            n = dataset._cardinality()
            if n == UNKNOWN_CARDINALITY:
                return n
            if n != INFINITE_CARDINALITY and (result < 0 or n < result):
                result = n
        return result

    def _compute_spec(self):
        return structure.pack_like(self._structure,
                                   [d.element_spec for d in self._inputs])


class ConcatenateDataset(UnaryDataset):
    """`concatenate`: one dataset's elements, then another's."""

    _tf_name = "_ConcatenateDataset"

    def __init__(self, input_dataset: Dataset, other: Dataset) -> None:
        super().__init__(input_dataset)
        if not isinstance(other, Dataset):
            raise TypeError(f"concatenate expects a Dataset, received "
                            f"{type(other).__name__}.")
        self._other = other
        a, b = input_dataset.element_spec, other.element_spec
        merged = None
        if structure.same_structure(a, b):
            merged = [structure.merge_specs(x, y) for x, y in
                      zip(structure.flatten(a), structure.flatten(b), strict=True)]
        if merged is None or None in merged:
            raise TypeError(f"concatenate: the datasets' elements differ in "
                            f"structure or dtype: {a} vs. {b}. Cast or map one of "
                            "them to match the other.")
        self._spec = structure.pack_like(a, merged)

    def _elements(self) -> Iterator:
        return itertools.chain(self._input._elements(), self._other._elements())

    def _cardinality(self) -> int:
        n1, n2 = self._input._cardinality(), self._other._cardinality()
        if INFINITE_CARDINALITY in (n1, n2):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (n1, n2):
            return UNKNOWN_CARDINALITY
        return n1 + n2

    def _compute_spec(self):
        return self._spec
