"""Comparing two traces of one computation: the values and settings they froze.

A replayed plan recomputes whatever flows through op inputs; everything else a
trace holds is frozen: constant tensors, and the settings each `Function` was
given before it ran (a Python float, a shape, a mask array, an index array, a
closure). When the Python around the ops derived one of those from input
values, a second trace on other inputs records something different, and
`Plan.same_as` must see it. This module says what "the same" means for such
values.

A Function's *configuration* is its attribute dict as it was just before
`forward` ran (`Function.apply` snapshots it while a trace is open), less the
engine's bookkeeping. What `forward` itself stores (saved arrays, shapes, a
step mask computed from an input) is recomputed by every replay, so it is not
compared.
"""

from __future__ import annotations

import functools
import types

from baro.backend.arrays import get_array_module
from baro.core.tensor import Tensor
from baro.core.variable import Variable

# Set on a Function by the engine and `apply`, not by the op's wrapper.
BOOKKEEPING = frozenset({"inputs", "saved", "generation", "sequence", "n_outputs",
                         "grads"})
# Deeper structures are not compared: they count as different, which costs a
# compiled step (it runs eagerly), never correctness.
_MAX_DEPTH = 8
_PLAIN = (bool, int, complex, str, bytes, type(None), type(Ellipsis), range, type)


def configuration(function, snapshot: dict | None = None) -> dict:
    """The settings of `function` to compare: `snapshot` (its attributes before
    forward) or, when none was taken, its attributes now; bookkeeping left out."""
    attributes = vars(function) if snapshot is None else snapshot
    return {k: v for k, v in attributes.items() if k not in BOOKKEEPING}


def same_value(a, b) -> bool:
    """Whether two arrays hold the same values (NaN equal to NaN)."""
    if a is b:
        return True
    if getattr(a, "shape", None) != getattr(b, "shape", None) or \
            getattr(a, "dtype", None) != getattr(b, "dtype", None):
        return False
    xp = get_array_module(a)
    try:
        return bool(xp.array_equal(a, b, equal_nan=True))
    except TypeError:  # no NaN in this dtype (strings, objects)
        return bool(xp.array_equal(a, b))


def same_setting(a, b, depth: int = 0) -> bool:
    """Whether two values a Function keeps would make it compute the same thing.

    Numbers, strings and dtypes compare by value (NaN equals NaN), arrays and
    plain tensors element by element, containers item by item, functions by
    code, defaults and closure values (a fresh lambda per call is fine; one
    closing over a value read from an input is not), Variables and other
    objects without `__eq__` by identity or, failing that, by their attributes.
    """
    if a is b:
        return True
    if type(a) is not type(b) or depth > _MAX_DEPTH:
        return False
    depth += 1
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    if isinstance(a, _PLAIN):
        return a == b
    if isinstance(a, Variable):
        return False  # another variable: identity is what matters
    if isinstance(a, Tensor):
        return same_value(a.data, b.data)
    if hasattr(a, "shape") and hasattr(a, "dtype"):  # arrays and NumPy scalars
        return same_value(a, b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same_setting(x, y, depth)
                                        for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_setting(a[k], b[k], depth)
                                            for k in a)
    if isinstance(a, slice):
        return same_setting((a.start, a.stop, a.step), (b.start, b.stop, b.step),
                            depth)
    if isinstance(a, types.FunctionType):
        return _same_function(a, b, depth)
    if isinstance(a, types.MethodType):
        return same_setting(a.__func__, b.__func__, depth) and \
            same_setting(a.__self__, b.__self__, depth)
    if isinstance(a, functools.partial):
        return same_setting((a.func, a.args, a.keywords),
                            (b.func, b.args, b.keywords), depth)
    if type(a).__eq__ is not object.__eq__:  # dtypes, dataclasses, named tuples
        try:
            return bool(a == b)
        except (TypeError, ValueError):
            return False
    attributes = _attributes(a)
    return attributes is not None and same_setting(attributes, _attributes(b), depth)


def _attributes(obj) -> dict | None:
    """An object's attributes: its `__dict__` and `__slots__` values (None when
    it has neither, e.g. a builtin)."""
    found = dict(vars(obj)) if hasattr(obj, "__dict__") else None
    for cls in type(obj).__mro__:
        names = cls.__dict__.get("__slots__", ())
        for name in (names,) if isinstance(names, str) else names:
            if name not in ("__dict__", "__weakref__") and hasattr(obj, name):
                found = {} if found is None else found
                found[name] = getattr(obj, name)
    return found


def _same_function(a, b, depth: int) -> bool:
    if a.__code__ is not b.__code__:
        return False
    cells = [tuple(c.cell_contents for c in f.__closure__ or ()) for f in (a, b)]
    return same_setting((a.__defaults__, a.__kwdefaults__, cells[0]),
                        (b.__defaults__, b.__kwdefaults__, cells[1]), depth)


def first_difference(plan, other) -> str | None:
    """What differs between two plans traced from the same code (None: nothing).

    The steps must apply the same Function types to the same slots with the
    same configurations, the constants must hold the same values, and every
    slot must have the same shape and dtype.
    """
    if len(plan.steps) != len(other.steps):
        return f"{len(plan.steps)} ops against {len(other.steps)}"
    if plan.n_slots != other.n_slots or plan.output_slots != other.output_slots:
        return "the ops produce other values"
    pairs = zip(plan.steps, other.steps, plan.configs, other.configs, strict=True)
    for k, ((f, ins, outs), (g, ins2, outs2), config, config2) in enumerate(pairs):
        where = f"op {k} ({type(f).__name__})"
        if type(f) is not type(g):
            return f"{where} against {type(g).__name__}"
        if ins != ins2 or outs != outs2:
            return f"{where} reads or writes other values"
        if config.keys() != config2.keys():
            return f"{where} has other attributes"
        for name, value in config.items():
            if not same_setting(value, config2[name]):
                return (f"{where} keeps another {name!r}: a value computed in "
                        "Python, not an op input")
    if len(plan.constants) != len(other.constants):
        return "another number of constants"
    for (slot, value), (slot2, value2) in zip(plan.constants, other.constants,
                                              strict=True):
        if slot != slot2 or not same_value(value, value2):
            return f"constant {slot} differs: a value computed in Python"
    if plan.shapes != other.shapes:
        return "values of other shapes or dtypes"
    return None
