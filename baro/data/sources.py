"""Where elements come from: slices of arrays, one element, a range, a generator."""

from __future__ import annotations

import builtins
from collections.abc import Iterator

import numpy as np

from baro.backend.config import standardize_dtype
from baro.data import structure
from baro.data.dataset import UNKNOWN_CARDINALITY, Dataset, as_int
from baro.data.structure import TensorSpec


class TensorSliceDataset(Dataset):
    """Rows of in-memory arrays (`Dataset.from_tensor_slices`)."""

    _tf_name = "_TensorSliceDataset"
    _indexed = True

    def __init__(self, tensors) -> None:
        # Arrays are referenced, not copied (as ArrayBatches in `fit` does):
        # an in-place change to the caller's array shows in later passes.
        self._arrays = structure.normalize(tensors)
        leaves = structure.flatten(self._arrays)
        if not leaves:
            raise ValueError("from_tensor_slices needs at least one array; "
                             "received an empty structure.")
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError(
                    "from_tensor_slices slices along the first axis, so every "
                    f"component needs rank >= 1; received a scalar ({leaf!r}). "
                    "Use Dataset.from_tensors for a single element.")
        sizes = [leaf.shape[0] for leaf in leaves]
        if len(set(sizes)) > 1:
            raise ValueError(
                "from_tensor_slices: all components must have the same size in "
                f"the first dimension (one row per element); received sizes "
                f"{sizes}. Check that x and y hold the same number of samples.")
        self._size = sizes[0]

    def _index_source(self):
        return self._arrays, iter(builtins.range(self._size))

    def _cardinality(self) -> int:
        return self._size

    def _compute_spec(self):
        return structure.map_structure(
            lambda a: TensorSpec(a.shape[1:], a.dtype), self._arrays)


class TensorDataset(Dataset):
    """A single element (`Dataset.from_tensors`)."""

    _tf_name = "_TensorDataset"

    def __init__(self, tensors) -> None:
        self._element = structure.normalize(tensors)

    def _elements(self) -> Iterator:
        yield self._element

    def _cardinality(self) -> int:
        return 1

    def _compute_spec(self):
        return structure.spec_of(self._element)


class RangeDataset(Dataset):
    """`range(start, stop, step)` as scalars of `output_type` (`Dataset.range`)."""

    _tf_name = "_RangeDataset"

    def __init__(self, *args, output_type="int64") -> None:
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Dataset.range takes 1 to 3 integers (stop, or start, "
                            f"stop[, step]); received {len(args)}.")
        bounds = [as_int(a, "Dataset.range: argument") for a in args]
        if len(bounds) == 3 and bounds[2] == 0:
            raise ValueError("Dataset.range: step must not be zero.")
        self._range = builtins.range(*bounds)
        self._dtype = np.dtype(standardize_dtype(output_type))

    def _elements(self) -> Iterator:
        dtype = self._dtype
        for value in self._range:
            yield np.asarray(value, dtype)

    def _cardinality(self) -> int:
        return len(self._range)

    def _compute_spec(self):
        return TensorSpec((), self._dtype)


class GeneratorDataset(Dataset):
    """Elements from a generator function, called anew on every pass
    (`Dataset.from_generator`)."""

    # TensorFlow builds it as a flat_map over a one-element dataset.
    _tf_name = "_FlatMapDataset"

    def __init__(self, generator, output_types=None, output_shapes=None, args=None,
                 output_signature=None) -> None:
        if not callable(generator):
            hint = " Pass the generator function, not its result: " \
                "from_generator(gen, ...), not from_generator(gen())." \
                if hasattr(generator, "__next__") else ""
            raise TypeError(f"from_generator: `generator` must be a callable, "
                            f"received {type(generator).__name__}.{hint}")
        self._generator = generator
        self._args = tuple(args) if args is not None else ()
        self._signature = _signature(output_types, output_shapes, output_signature)

    def _elements(self) -> Iterator:
        for value in self._generator(*self._args):
            if self._signature is None:
                yield structure.normalize(value)
            else:
                yield _conform(value, self._signature)

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _compute_spec(self):
        if self._signature is not None:
            return self._signature
        # No signature (TensorFlow requires one): the first element decides.
        first = next(iter(self._elements()), None)
        if first is None:
            return TensorSpec(None, "float32")
        return structure.spec_of(first)


def _signature(output_types, output_shapes, output_signature):
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError("from_generator: pass output_signature alone, or the "
                            "older output_types (+ output_shapes), not both.")
        for spec in structure.flatten(output_signature):
            if not isinstance(spec, TensorSpec):
                raise TypeError(f"from_generator: output_signature must hold "
                                f"TensorSpec objects; received {spec!r}.")
        return output_signature
    if output_types is None:
        if output_shapes is not None:
            raise TypeError("from_generator: output_shapes needs output_types.")
        return None
    types = structure.flatten(output_types)
    shapes = [None] * len(types) if output_shapes is None else \
        _flatten_shapes(output_shapes, output_types)
    if len(shapes) != len(types):
        raise ValueError(f"from_generator: output_shapes has {len(shapes)} "
                         f"entries for {len(types)} output_types.")
    return structure.pack_like(
        output_types, [TensorSpec(s, t) for s, t in zip(shapes, types, strict=True)])


def _flatten_shapes(shapes, types) -> list:
    # A shape is itself a tuple, so flatten the shapes along the types' nesting.
    if isinstance(types, dict):
        return [s for k in sorted(types) for s in _flatten_shapes(shapes[k], types[k])]
    if isinstance(types, tuple):
        return [s for sh, t in zip(shapes, types, strict=True)
                for s in _flatten_shapes(sh, t)]
    return [shapes]


def _conform(value, spec):
    """A yielded value converted to the signature's dtypes, shapes checked."""
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise TypeError(f"from_generator: the generator yielded {value!r}, but "
                            f"the signature expects a dict with keys {sorted(spec)}.")
        return {key: _conform(value[key], spec[key]) for key in spec}
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise TypeError(f"from_generator: the generator yielded {value!r}, but "
                            f"the signature expects a tuple of {len(spec)} values.")
        return tuple(_conform(v, s) for v, s in zip(value, spec, strict=True))
    array = structure.to_array(value)
    if array.dtype != spec.dtype:
        # An empty list has no dtype of its own: it takes the signature's.
        if array.size and not np.can_cast(array.dtype, spec.dtype,
                                          casting="same_kind"):
            raise TypeError(f"from_generator: the generator yielded a value of "
                            f"dtype {array.dtype} where {spec.dtype} was expected "
                            f"({value!r}).")
        array = array.astype(spec.dtype)
    if not spec.is_compatible_with(array):
        raise ValueError(f"from_generator: the generator yielded an element of "
                         f"shape {array.shape} where an element of shape "
                         f"{spec.shape} was expected.")
    return array
