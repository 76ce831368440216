"""What a layer call needs to know beyond its inputs.

- `training`: an explicit `training=` given to an outer call (a model) reaches
  every nested layer call that does not pass its own (Keras semantics).
- which keyword arguments a layer's `call` accepts (cached per class).
- `dry_run`: output shapes and dtypes found by calling a layer on zeros.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager

import numpy as np

from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor

_state = {"depth": 0, "training": None}
_accepted: dict[type, frozenset] = {}


@contextmanager
def scope(training):
    """Yields (resolved training flag, whether this is the outermost call)."""
    previous = _state["training"]
    resolved = training if training is not None else previous
    is_entry = _state["depth"] == 0
    _state["depth"] += 1
    _state["training"] = resolved
    try:
        yield resolved, is_entry
    finally:
        _state["depth"] -= 1
        _state["training"] = previous


def accepted_kwargs(cls) -> frozenset:
    """Names `cls.call` accepts; `**kwargs` counts as accepting training/mask."""
    found = _accepted.get(cls)
    if found is None:
        params = inspect.signature(cls.call).parameters
        names = set(params)
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            names |= {"training", "mask"}
        found = _accepted[cls] = frozenset(names)
    return found


def _zeros(shapes, fill: int, dtypes):
    if isinstance(shapes, list):
        return [_zeros(s, fill, d) for s, d in zip(shapes, dtypes, strict=True)]
    if isinstance(shapes, dict):
        return {k: _zeros(shapes[k], fill, dtypes[k]) for k in shapes}
    concrete = tuple(fill if n is None else n for n in shapes)
    return Tensor._wrap(np.zeros(concrete, dtype=dtypes))


def _shape_struct(outputs, other):
    """Output shapes; axes whose size changed between the two runs are None."""
    if isinstance(outputs, (list, tuple)):
        return [_shape_struct(a, b) for a, b in zip(outputs, other, strict=True)]
    if isinstance(outputs, dict):
        return {k: _shape_struct(outputs[k], other[k]) for k in outputs}
    return tuple(None if a != b else a for a, b in
                 zip(outputs.shape, other.shape, strict=True))


def _dtype_struct(outputs):
    if isinstance(outputs, (list, tuple)):
        return [_dtype_struct(o) for o in outputs]
    if isinstance(outputs, dict):
        return {k: _dtype_struct(v) for k, v in outputs.items()}
    return outputs.data.dtype.name


def dry_run(layer, shapes, dtypes=None, **kwargs):
    """Calls `layer` on zeros twice, unknown sizes set to 2 then 3.

    Returns:
        (output shapes, output dtypes); an axis is None where it followed an
        unknown input size.
    """
    if dtypes is None:
        dtypes = _fill_dtypes(shapes, layer.dtype)
    with no_grad():
        first = layer(_zeros(shapes, 2, dtypes), **kwargs)
        second = layer(_zeros(shapes, 3, dtypes), **kwargs)
    return _shape_struct(first, second), _dtype_struct(first)


def _fill_dtypes(shapes, dtype):
    if isinstance(shapes, list):
        return [_fill_dtypes(s, dtype) for s in shapes]
    if isinstance(shapes, dict):
        return {k: _fill_dtypes(v, dtype) for k, v in shapes.items()}
    return dtype
