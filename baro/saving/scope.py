"""Scopes that loading sets up: safe mode, custom objects, an allocation budget.

They are context variables rather than arguments because `from_config` of any
class (a Lambda deep inside a nested model, a layer creating its weights) must
see them without every signature in between passing them along.
"""

from __future__ import annotations

import contextvars
import math

_SAFE_MODE = contextvars.ContextVar("baro_safe_mode", default=None)
_CUSTOM_OBJECTS = contextvars.ContextVar("baro_custom_objects", default=None)
_BUDGET = contextvars.ContextVar("baro_load_budget", default=None)
_UNSAFE_GLOBALLY = [False]


class _Scope:
    """Sets a context variable for the duration of a `with` block."""

    _variable: contextvars.ContextVar

    def __init__(self, value) -> None:
        self._value = value
        self._token = None

    def __enter__(self):
        self._token = self._variable.set(self._value)
        return self

    def __exit__(self, *exc) -> None:
        self._variable.reset(self._token)


class SafeModeScope(_Scope):
    """`with SafeModeScope(True):` loading refuses to restore code (Lambda).

    Args:
        safe_mode: True (the default for `load_model` and `model_from_json`),
            False, or None for "not loading a file".
    """

    _variable = _SAFE_MODE

    def __init__(self, safe_mode: bool | None = True) -> None:
        super().__init__(safe_mode)


def in_safe_mode() -> bool | None:
    """True/False inside a loading scope (False everywhere after
    `enable_unsafe_deserialization()`), None outside one."""
    if _UNSAFE_GLOBALLY[0]:
        return False
    return _SAFE_MODE.get()


def enable_unsafe_deserialization() -> None:
    """Lets every later load restore registered Lambda functions (as Keras's
    `keras.config.enable_unsafe_deserialization`). Only for files you trust."""
    _UNSAFE_GLOBALLY[0] = True


class CustomObjectScope(_Scope):
    """`with CustomObjectScope({"MyLayer": MyLayer}):` makes names resolvable
    while loading, as if passed as `custom_objects=` (Keras's
    `custom_object_scope`). Scopes nest; the innermost name wins.

    Example:
        >>> from baro.saving.scope import custom_object_scope, get_custom_objects
        >>> with custom_object_scope({"double": lambda x: 2 * x}):
        ...     sorted(get_custom_objects())
        ['double']
    """

    _variable = _CUSTOM_OBJECTS

    def __init__(self, *objects: dict) -> None:
        merged = dict(_CUSTOM_OBJECTS.get() or {})
        for table in objects:
            merged.update(table or {})
        super().__init__(merged)


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The names made available by the enclosing `custom_object_scope`s."""
    return dict(_CUSTOM_OBJECTS.get() or {})


class AllocationBudget(_Scope):
    """Caps the bytes that rebuilding a model from a file may allocate.

    A file's config can claim any sizes (`Dense(units=10**12)`, an input of a
    million by a million). Loading sets a budget from what the file really
    holds; `Layer.add_weight` and the shape dry runs charge it first, so a lying
    file ends in a ValueError instead of exhausting memory.

    Args:
        weight_bytes: The most bytes all created weights may take together.
        array_bytes: The most bytes any single temporary array may take.
        source: Named in the error message (the file).
    """

    _variable = _BUDGET

    def __init__(self, weight_bytes: int, array_bytes: int, source: str) -> None:
        super().__init__(self)
        self.weight_left = int(weight_bytes)
        self.array_bytes = int(array_bytes)
        self.source = source


def loading() -> bool:
    """True while a model file is being rebuilt (its weights follow from it)."""
    return _BUDGET.get() is not None


def charge_weight(owner: str, shape, itemsize: int) -> None:
    """Called before creating a weight; raises if the load budget is spent.

    Raises:
        ValueError: Inside a loading scope, if the weight would exceed it.
    """
    budget = _BUDGET.get()
    if budget is None:
        return
    size = math.prod(int(s) for s in shape) * int(itemsize)
    if size > budget.weight_left:
        raise ValueError(
            f"{budget.source}: layer {owner!r} asks for a weight of shape "
            f"{tuple(shape)} ({size:,} bytes), more than the file's weights hold; "
            "the config does not match the weights (damaged or crafted file).")
    budget.weight_left -= size


def charge_array(owner: str, shape, itemsize: int) -> None:
    """Called before a temporary array (a shape dry run) is allocated.

    Raises:
        ValueError: Inside a loading scope, if one array would exceed the cap.
    """
    budget = _BUDGET.get()
    if budget is None:
        return
    size = math.prod(int(s) for s in shape) * int(itemsize)
    if size > budget.array_bytes:
        raise ValueError(
            f"{budget.source}: layer {owner!r} would need a {tuple(shape)} array "
            f"({size:,} bytes) to infer its output shape; the config declares "
            "implausibly large inputs (damaged or crafted file).")
