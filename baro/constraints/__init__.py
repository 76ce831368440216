"""Level 4: weight constraints by name (`keras.constraints`).

`get("max_norm")` returns a new `MaxNorm()`; class names and Keras's
snake_case names work, and the snake_case names are also module attributes
bound to the classes, as in Keras.
"""

from __future__ import annotations

from baro.constraints.constraints import (
    Constraint,
    MaxNorm,
    MinMaxNorm,
    NonNeg,
    UnitNorm,
)
from baro.saving import serialization

max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)

ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({
    "constraint": Constraint, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg, "unit_norm": UnitNorm,
})


def serialize(constraint: Constraint) -> dict:
    """`{"class_name": ..., "config": ...}` for `constraint`.

    Example:
        >>> from baro import constraints
        >>> constraints.serialize(constraints.UnitNorm(axis=1))
        {'module': 'constraints', 'class_name': 'UnitNorm', 'config': {'axis': 1}}
    """
    return serialization.serialize(constraint)


def deserialize(config: dict | str, custom_objects: dict | None = None):
    """Rebuilds a constraint from `serialize`'s output (or a name).

    Raises:
        ValueError: For an unknown class name, listing the valid ones.
    """
    return serialization.get_from_family(config, ALL_OBJECTS_DICT, "constraint",
                                         base=Constraint,
                                         custom_objects=custom_objects)


def get(identifier):
    """Resolves a constraint identifier the way `keras.constraints.get` does.

    Args:
        identifier: None (returned as None), a name (`"max_norm"`,
            `"NonNeg"`), a config dict, a class (instantiated), or an instance /
            callable (returned as is).

    Returns:
        A constraint (a new instance for names and classes), or None.

    Raises:
        ValueError: For an unknown name (listing the valid ones) or an
            identifier of another kind.

    Example:
        >>> from baro import constraints
        >>> constraints.get("non_neg")
        NonNeg()
    """
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return serialization.get_from_family(identifier, ALL_OBJECTS_DICT,
                                         "constraint", base=Constraint)


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm",
           "deserialize", "get", "max_norm", "min_max_norm", "non_neg",
           "serialize", "unit_norm"]
