"""What a layer call needs to know beyond its inputs.

- `training`: an explicit `training=` given to an outer call (a model) reaches
  every nested layer call that does not pass its own (Keras semantics).
- which keyword arguments a layer's `call` accepts (cached per class).
- `dry_run`: output shapes and dtypes found by calling a layer on zeros.
"""

from __future__ import annotations

import inspect
import threading

import numpy as np

from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor
from baro.saving.scope import charge_array


class _CallState(threading.local):
    """How deep in layer calls this thread is, and the `training` flag an
    outer call set (per thread: two models called from two threads do not
    see each other's flag)."""

    depth = 0
    training = None


_state = _CallState()
_accepted: dict[type, frozenset] = {}


class scope:  # noqa: N801 (used like a function: `with scope(training) as ...`)
    """`with scope(training) as (resolved, is_entry)`: the training flag in
    force for this call (its own, else the outer call's) and whether this is
    the outermost layer call. A class, not a generator: it wraps every layer
    call."""

    __slots__ = ("training", "previous")

    def __init__(self, training) -> None:
        self.training = training

    def __enter__(self) -> tuple:
        state = _state
        self.previous = previous = state.training
        resolved = self.training if self.training is not None else previous
        is_entry = state.depth == 0
        state.depth += 1
        state.training = resolved
        return resolved, is_entry

    def __exit__(self, *exc) -> None:
        state = _state
        state.depth -= 1
        state.training = self.previous


_build_params: dict[type, list] = {}


def _shape(value):
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else None


def build_arguments(cls, more_args, kwargs) -> dict:
    """Shapes for build's extra parameters: `<name>_shape` from the call's other
    positional tensors in order, or from the keyword argument `<name>`."""
    names = _build_params.get(cls)
    if names is None:
        params = list(inspect.signature(cls.build).parameters.values())[2:]
        names = _build_params[cls] = [p.name for p in params
                                      if p.kind is p.POSITIONAL_OR_KEYWORD]
    extra = {}
    for i, name in enumerate(names):
        if i < len(more_args) and _shape(more_args[i]) is not None:
            extra[name] = _shape(more_args[i])
        elif name.endswith("_shape") and _shape(kwargs.get(name[:-6])) is not None:
            extra[name] = _shape(kwargs[name[:-6]])
    return extra


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


def _zeros_for(value, fill: int, owner: str):
    """Replaces every symbolic tensor in a structure by zeros of its shape."""
    from baro.layers.symbolic import SymbolicTensor

    if isinstance(value, SymbolicTensor):
        return _zeros(value.shape, fill, value.dtype, owner)
    if isinstance(value, (list, tuple)):
        return type(value)(_zeros_for(v, fill, owner) for v in value)
    if isinstance(value, dict):
        return {k: _zeros_for(v, fill, owner) for k, v in value.items()}
    return value


def dry_run_call(layer, args, kwargs):
    """`dry_run` for a call whose arguments hold symbolic tensors anywhere."""
    with no_grad():
        first = layer(*_zeros_for(tuple(args), 2, layer.name),
                      **_zeros_for(dict(kwargs), 2, layer.name))
        second = layer(*_zeros_for(tuple(args), 3, layer.name),
                       **_zeros_for(dict(kwargs), 3, layer.name))
    return _shape_struct(first, second), _dtype_struct(first)


def _zeros(shapes, fill: int, dtypes, owner: str):
    if isinstance(shapes, list):
        return [_zeros(s, fill, d, owner)
                for s, d in zip(shapes, dtypes, strict=True)]
    if isinstance(shapes, dict):
        return {k: _zeros(shapes[k], fill, dtypes[k], owner) for k in shapes}
    concrete = tuple(fill if n is None else n for n in shapes)
    # A model file's config decides these sizes: loading caps them.
    charge_array(owner, concrete, np.dtype(dtypes).itemsize)
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
        first = layer(_zeros(shapes, 2, dtypes, layer.name), **kwargs)
        second = layer(_zeros(shapes, 3, dtypes, layer.name), **kwargs)
    return _shape_struct(first, second), _dtype_struct(first)


def _fill_dtypes(shapes, dtype):
    if isinstance(shapes, list):
        return [_fill_dtypes(s, dtype) for s in shapes]
    if isinstance(shapes, dict):
        return {k: _fill_dtypes(v, dtype) for k, v in shapes.items()}
    return dtype
