"""`Dataset`: the `tf.data.Dataset` API that tutorials use, run eagerly on NumPy.

A dataset is a chain of small nodes (`sources.py`, `transforms.py`); iterating it
pulls elements through the chain, one Python generator per node. Elements travel
as NumPy structures and become baro Tensors only where users see them (iteration,
`map`/`filter` functions), so `model.fit(dataset)` pays no conversion on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from baro.core import Tensor
from baro.data import structure

# Cardinality sentinels and the AUTOTUNE marker, with TensorFlow's values.
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
AUTOTUNE = -1


def as_int(value, what: str) -> int:
    """`value` (an int or an integer Tensor) as an int, or a TypeError naming it."""
    if isinstance(value, Tensor) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an integer, received {value!r} of type "
                        f"{type(value).__name__}.")
    return int(value)


class Dataset:
    """A sequence of elements, each a tensor or a tuple/dict of tensors.

    Build one with `Dataset.from_tensor_slices`, `from_tensors`, `range` or
    `from_generator`, chain transformations (`shuffle`, `map`, `batch`, ...), and
    iterate it with `for`, or pass it to `model.fit`. Each iteration starts a fresh
    pass, so a dataset serves every epoch.

    Example:
        >>> import baro
        >>> ds = baro.data.Dataset.range(10).batch(3)
        >>> for batch in ds.as_numpy_iterator():
        ...     print(batch)
        [0 1 2]
        [3 4 5]
        [6 7 8]
        [9]
    """

    # The class name TensorFlow prints in `repr` (e.g. `<_BatchDataset ...>`).
    _tf_name = "Dataset"
    # True when `_index_source` can answer (known without starting a pass).
    _indexed = False

    # -- what every node provides ----------------------------------------------------
    def _elements(self) -> Iterator:
        """Yields the elements of one pass as NumPy structures."""
        if not self._indexed:
            raise NotImplementedError(f"{type(self).__name__} must define _elements.")
        arrays, indices = self._index_source()
        for i in indices:
            yield structure.map_structure(lambda a, i=i: a[i], arrays)

    def _index_source(self):
        """`(arrays, indices)` when elements are rows `i` of in-memory arrays.

        Slices, and shuffles/takes/skips/repeats of slices, answer with the arrays
        and an iterator over row indices, so that `batch` gathers a whole batch
        with one fancy index per array instead of stacking rows one by one.
        Called only when `_indexed` is True; each call starts a new pass.
        """
        raise NotImplementedError(f"{type(self).__name__} has no index source.")

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _compute_spec(self):
        raise NotImplementedError

    # -- facts ---------------------------------------------------------------------
    @property
    def element_spec(self):
        """The `TensorSpec` structure of one element (None marks unknown sizes)."""
        spec = getattr(self, "_spec_cache", None)
        if spec is None:
            spec = self._compute_spec()
            self._spec_cache = spec
        return spec

    def cardinality(self) -> Tensor:
        """The number of elements as an int64 scalar tensor.

        `INFINITE_CARDINALITY` (-1) after `repeat()`, `UNKNOWN_CARDINALITY` (-2)
        when it cannot be known without iterating (`filter`, `from_generator`).

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.range(42)
            >>> print(ds.cardinality().numpy())
            42
            >>> print(ds.repeat().cardinality().numpy())
            -1
            >>> print(ds.filter(lambda x: x > 5).cardinality().numpy())
            -2
        """
        return Tensor(np.asarray(self._cardinality(), np.int64))

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite (it was built with repeat()); "
                            "len() needs a finite dataset.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown (filter or "
                            "from_generator); count it by iterating, or use "
                            "dataset.cardinality().")
        return n

    def __bool__(self) -> bool:
        # A dataset is an object, not a container: `if ds:` must not call len().
        return True

    def __iter__(self) -> DatasetIterator:
        return DatasetIterator(self)

    def as_numpy_iterator(self) -> Iterator:
        """Iterates the elements as NumPy values (scalars as NumPy scalars).

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.from_tensor_slices(([1, 2], [3.0, 4.0]))
            >>> for x, y in ds.as_numpy_iterator():
            ...     print(x, y)
            1 3.0
            2 4.0
        """
        for element in self._elements():
            yield structure.map_structure(structure.to_numpy_value, element)

    def __repr__(self) -> str:
        return f"<{self._tf_name} element_spec={self.element_spec}>"

    # -- sources -------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name: str | None = None) -> Dataset:
        """One element per row of `tensors` (sliced along the first axis).

        Args:
            tensors: An array, Tensor or list, or a tuple / dict of them (e.g.
                `(x, y)`, or `dict(dataframe)`); all must have the same first size.
            name: Accepted for compatibility.

        Raises:
            ValueError: If a component is a scalar or the first sizes differ.

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.from_tensor_slices({"a": [1, 2], "b": [3, 4]})
            >>> for element in ds.as_numpy_iterator():
            ...     print(sorted((k, int(v)) for k, v in element.items()))
            [('a', 1), ('b', 3)]
            [('a', 2), ('b', 4)]
        """
        from baro.data.sources import TensorSliceDataset

        return TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name: str | None = None) -> Dataset:
        """A dataset of exactly one element, `tensors` itself."""
        from baro.data.sources import TensorDataset

        return TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type: Any = "int64", name: str | None = None) -> Dataset:
        """`range(stop)`, `range(start, stop[, step])` as int64 scalars.

        Example:
            >>> import baro
            >>> print(list(baro.data.Dataset.range(1, 8, 3).as_numpy_iterator()) ==
            ...       [1, 4, 7])
            True
        """
        from baro.data.sources import RangeDataset

        return RangeDataset(*args, output_type=output_type)

    @staticmethod
    def from_generator(generator: Callable, output_types=None, output_shapes=None,
                       args=None, output_signature=None,
                       name: str | None = None) -> Dataset:
        """Elements from a Python generator function, called anew on every pass.

        Args:
            generator: A callable returning an iterator (the generator function
                itself, not a generator object).
            output_types: Optional structure of dtypes (older TF spelling).
            output_shapes: Optional structure of shapes for `output_types`.
            args: Optional tuple of arguments for `generator`.
            output_signature: Optional structure of `TensorSpec`s; yielded values
                are converted to those dtypes and checked against those shapes.
                Without a signature, the first element decides the spec.
            name: Accepted for compatibility.

        Raises:
            TypeError: If `generator` is not callable.

        Example:
            >>> import baro
            >>> def count():
            ...     yield from range(3)
            >>> ds = baro.data.Dataset.from_generator(
            ...     count, output_signature=baro.data.TensorSpec((), baro.int32))
            >>> [int(x) for x in ds]
            [0, 1, 2]
        """
        from baro.data.sources import GeneratorDataset

        return GeneratorDataset(generator, output_types, output_shapes, args,
                                output_signature)

    @staticmethod
    def zip(*args, datasets=None, name: str | None = None) -> Dataset:
        """Elements of several datasets side by side, up to the shortest.

        Accepts `zip(a, b)`, `zip((a, b))` or a dict of datasets; the element
        mirrors that structure.

        Example:
            >>> import baro
            >>> a = baro.data.Dataset.range(1, 4)
            >>> b = baro.data.Dataset.range(4, 6)
            >>> for x, y in baro.data.Dataset.zip(a, b).as_numpy_iterator():
            ...     print(x, y)
            1 4
            2 5
        """
        from baro.data.combining import ZipDataset

        if datasets is None:
            if not args:
                raise TypeError("Dataset.zip needs datasets: zip(a, b) or zip((a, b)).")
            datasets = args[0] if len(args) == 1 else tuple(args)
        elif args:
            raise TypeError("Dataset.zip: pass the datasets positionally or as "
                            "datasets=, not both.")
        return ZipDataset(datasets)

    # -- transformations -----------------------------------------------------------
    def batch(self, batch_size: int, drop_remainder: bool = False,
              num_parallel_calls=None, deterministic=None,
              name: str | None = None) -> Dataset:
        """Stacks consecutive elements into batches (the last may be smaller).

        Args:
            batch_size: Elements per batch, >= 1.
            drop_remainder: Drop a last batch smaller than `batch_size` (the
                batch dimension is then static in `element_spec`).
            num_parallel_calls, deterministic, name: Accepted for compatibility.

        Raises:
            ValueError: If `batch_size` < 1, or (when iterating) elements have
                different shapes.
        """
        from baro.data.transforms import BatchDataset

        return BatchDataset(self, batch_size, drop_remainder)

    def unbatch(self, name: str | None = None) -> Dataset:
        """Splits every element along its first axis (the inverse of `batch`)."""
        from baro.data.transforms import UnbatchDataset

        return UnbatchDataset(self)

    def shuffle(self, buffer_size: int, seed: int | None = None,
                reshuffle_each_iteration: bool | None = None,
                name: str | None = None) -> Dataset:
        """Shuffles with a buffer, as TensorFlow does.

        The buffer holds the next `buffer_size` elements; each output is drawn
        uniformly from it and its place is refilled from the input. A buffer of
        1 keeps the order; a buffer at least the dataset's size is a full
        uniform shuffle.

        Args:
            buffer_size: Number of elements in the buffer, >= 1.
            seed: Optional seed. Without it the seed is drawn from baro's global
                generator when the dataset is built, so `baro.random.set_seed`
                (or `baro.utils.set_random_seed`) makes runs reproducible.
            reshuffle_each_iteration: A different order on every pass (default
                True); False repeats the first pass's order.
            name: Accepted for compatibility.

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.range(5).shuffle(5, seed=0)
            >>> sorted(int(x) for x in ds)
            [0, 1, 2, 3, 4]
        """
        from baro.data.transforms import ShuffleDataset

        return ShuffleDataset(self, buffer_size, seed,
                              True if reshuffle_each_iteration is None
                              else bool(reshuffle_each_iteration))

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None,
            name: str | None = None) -> Dataset:
        """Applies `map_func` to every element.

        The function receives the element's components as baro Tensors: a tuple
        element `(x, y)` is passed as two arguments, a dict as one. It may return
        a tensor, array, number, or a tuple/dict of them (a list is taken as a
        tuple). It runs without recording gradients, like a traced tf.data
        function.

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.from_tensor_slices(([1, 2], [10, 20]))
            >>> ds = ds.map(lambda x, y: (x * 2, y + 1))
            >>> for x, y in ds.as_numpy_iterator():
            ...     print(x, y)
            2 11
            4 21
        """
        from baro.data.mapping import MapDataset

        return MapDataset(self, map_func, parallel=num_parallel_calls is not None)

    def filter(self, predicate: Callable, name: str | None = None) -> Dataset:
        """Keeps the elements for which `predicate` returns a true scalar bool.

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.range(10).filter(lambda x: x % 3 == 0)
            >>> [int(x) for x in ds]
            [0, 3, 6, 9]
        """
        from baro.data.mapping import FilterDataset

        return FilterDataset(self, predicate)

    def prefetch(self, buffer_size: int, name: str | None = None) -> Dataset:
        """Accepted for compatibility: baro prepares batches in the training
        thread, so this returns the same elements (`AUTOTUNE` is fine)."""
        from baro.data.transforms import PrefetchDataset

        as_int(buffer_size, "prefetch: buffer_size")
        return PrefetchDataset(self)

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """Remembers the elements of the first complete pass and replays them.

        As in TensorFlow, a `shuffle` *before* `cache` is frozen into the cache;
        put `shuffle` after it to reshuffle every epoch. `filename` is accepted,
        but the cache lives in memory.
        """
        from baro.data.transforms import CacheDataset

        return CacheDataset(self)

    def repeat(self, count: int | None = None, name: str | None = None) -> Dataset:
        """Repeats the dataset `count` times (forever when None or -1).

        Every repetition is a fresh pass, so an earlier `shuffle` reshuffles.
        """
        from baro.data.transforms import RepeatDataset

        count = -1 if count is None else as_int(count, "repeat: count")
        return RepeatDataset(self, count)

    def take(self, count: int, name: str | None = None) -> Dataset:
        """The first `count` elements (all of them when `count` is -1).

        Example:
            >>> import baro
            >>> [int(x) for x in baro.data.Dataset.range(10).skip(2).take(3)]
            [2, 3, 4]
        """
        from baro.data.transforms import TakeDataset

        return TakeDataset(self, as_int(count, "take: count"))

    def skip(self, count: int, name: str | None = None) -> Dataset:
        """Everything after the first `count` elements (nothing when -1)."""
        from baro.data.transforms import SkipDataset

        return SkipDataset(self, as_int(count, "skip: count"))

    def enumerate(self, start: int = 0, name: str | None = None) -> Dataset:
        """Pairs every element with its int64 position: `(i, element)`."""
        from baro.data.combining import EnumerateDataset

        return EnumerateDataset(self, as_int(start, "enumerate: start"))

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        """This dataset's elements followed by `dataset`'s (same structure).

        Raises:
            TypeError: If the element structures or dtypes differ.
        """
        from baro.data.combining import ConcatenateDataset

        return ConcatenateDataset(self, dataset)

    def reduce(self, initial_state, reduce_func: Callable):
        """Folds the elements: `state = reduce_func(state, element)`.

        Example:
            >>> import baro
            >>> ds = baro.data.Dataset.range(5)
            >>> print(ds.reduce(0, lambda state, x: state + x).numpy())
            10
        """
        from baro.data.mapping import call_user_function

        state = structure.map_structure(structure.to_user,
                                        structure.normalize(initial_state))
        for element in self._elements():
            users = structure.map_structure(structure.to_user, element)
            state = call_user_function(reduce_func, (state, users), unpack=True)
        return state

    def apply(self, transformation_func: Callable) -> Dataset:
        """`transformation_func(self)`, for chaining custom transformations."""
        return transformation_func(self)


class DatasetIterator:
    """An iterator over a dataset's elements as baro Tensors (`iter(dataset)`)."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._elements = dataset._elements()

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self) -> DatasetIterator:
        return self

    def __next__(self):
        element = next(self._elements)
        return structure.map_structure(structure.to_user, element)

    def get_next(self):
        """The next element (`iterator.get_next()` in TF 2)."""
        return next(self)
