"""`map` and `filter`: user functions over elements, called with baro Tensors."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator

import numpy as np

from baro.backend import random as backend_random
from baro.core import no_grad
from baro.data import structure
from baro.data.dataset import UNKNOWN_CARDINALITY, Dataset
from baro.data.structure import TensorSpec
from baro.data.transforms import UnaryDataset


def call_user_function(fn: Callable, element, unpack: bool = True):
    """Calls `fn` like tf.data does: a plain tuple is spread into arguments."""
    with no_grad():
        if unpack and type(element) is tuple:
            return fn(*element)
        return fn(element)


class MapDataset(UnaryDataset):
    """`map`: `map_func` applied to every element (receiving baro Tensors)."""

    def __init__(self, input_dataset: Dataset, map_func: Callable,
                 parallel: bool = False) -> None:
        super().__init__(input_dataset)
        if not callable(map_func):
            raise TypeError(f"map: map_func must be callable, received "
                            f"{type(map_func).__name__}.")
        self._func = map_func
        self._tf_name = "_ParallelMapDataset" if parallel else "_MapDataset"

    def _apply(self, element):
        users = structure.map_structure(structure.to_user, element)
        return structure.normalize(call_user_function(self._func, users),
                                   lists_are_tuples=True)

    def _elements(self) -> Iterator:
        for element in self._input._elements():
            yield self._apply(element)

    def _compute_spec(self):
        # Like TF's tracing: run the function on zeros, twice with different
        # sizes for the unknown dimensions, and keep the sizes that did not move.
        with _quiet_random_state():
            try:
                runs = [self._apply(_zeros_like_spec(self._input.element_spec, n))
                        for n in (2, 3)]
                specs = [structure.spec_of(run) for run in runs]
            except Exception:  # any failure: read the spec off a real element
                specs = None
            if specs is None or not structure.same_structure(*specs):
                first = next(self._elements(), None)
                if first is None:
                    return TensorSpec(None, "float32")
                return structure.spec_of(first)
        merged = [structure.merge_specs(a, b) or a for a, b in
                  zip(*(structure.flatten(s) for s in specs), strict=True)]
        return structure.pack_like(specs[0], merged)


@contextlib.contextmanager
def _quiet_random_state():
    """Restores baro's global generator and silences warnings (for dry runs)."""
    generator = backend_random.global_generator()
    state = generator.bit_generator.state
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        generator.bit_generator.state = state


def _zeros_like_spec(spec, unknown: int):
    def zeros(s: TensorSpec):
        if s.shape is None:
            raise ValueError("unknown rank")
        return np.zeros(tuple(unknown if d is None else d for d in s.shape), s.dtype)

    return structure.map_structure(zeros, spec)


class FilterDataset(UnaryDataset):
    """`filter`: the elements for which `predicate` returns True."""

    _tf_name = "_FilterDataset"

    def __init__(self, input_dataset: Dataset, predicate: Callable) -> None:
        super().__init__(input_dataset)
        if not callable(predicate):
            raise TypeError(f"filter: predicate must be callable, received "
                            f"{type(predicate).__name__}.")
        self._predicate = predicate

    def _elements(self) -> Iterator:
        for element in self._input._elements():
            users = structure.map_structure(structure.to_user, element)
            keep = structure.to_array(call_user_function(self._predicate, users))
            if keep.shape != () or keep.dtype != np.bool_:
                raise ValueError(
                    f"filter: predicate must return a scalar boolean, but it "
                    f"returned shape {keep.shape} and dtype {keep.dtype}. Compare "
                    "(e.g. `x > 0`) or reduce (baro.reduce_any) to one bool.")
            if keep:
                yield element

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY
