"""Level 4: weight regularizers by name (`keras.regularizers`).

`get("l2")` returns a new `L2()` (l2 = 0.01); `get("l1_l2")` returns
`L1L2(l1=0.01, l2=0.01)`, the values Keras documents for that name. The
snake_case names are also module attributes bound to the classes, as in Keras.
"""

from __future__ import annotations

from baro.regularizers.regularizers import (
    L1,
    L1L2,
    L2,
    OrthogonalRegularizer,
    Regularizer,
)
from baro.saving import serialization

l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)

ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({
    "regularizer": Regularizer, "l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
})

# Names that stand for an instance with other than the class defaults. Keras's
# own table maps only "l1l2" (its snake_case of L1L2, zero factors) and not
# "l1_l2", though its docs promise 0.01 each for "l1_l2"; baro keeps both.
_NAMED_INSTANCES = {"l1_l2": {"l1": 0.01, "l2": 0.01}}


def serialize(regularizer: Regularizer) -> dict:
    """`{"class_name": ..., "config": ...}` for `regularizer`.

    Example:
        >>> from baro import regularizers
        >>> regularizers.serialize(regularizers.L2(0.1))
        {'module': 'regularizers', 'class_name': 'L2', 'config': {'l2': 0.1}}
    """
    return serialization.serialize(regularizer)


def deserialize(config: dict | str, custom_objects: dict | None = None):
    """Rebuilds a regularizer from `serialize`'s output (or a name).

    Raises:
        ValueError: For an unknown class name, listing the valid ones.
    """
    if isinstance(config, str) and config.lower() in _NAMED_INSTANCES:
        return L1L2(**_NAMED_INSTANCES[config.lower()])
    return serialization.get_from_family(config, ALL_OBJECTS_DICT, "regularizer",
                                         base=Regularizer,
                                         custom_objects=custom_objects)


def get(identifier):
    """Resolves a regularizer identifier the way `keras.regularizers.get` does.

    Args:
        identifier: None (returned as None), a name (`"l1"`, `"L2"`,
            `"l1_l2"`, `"orthogonal_regularizer"`), a config dict, a class
            (instantiated), or an instance / callable (returned as is).

    Returns:
        A regularizer (a new instance for names and classes), or None.

    Raises:
        ValueError: For an unknown name (listing the valid ones) or an
            identifier of another kind.

    Example:
        >>> from baro import regularizers
        >>> regularizers.get("l1_l2")
        L1L2(l1=0.01, l2=0.01)
    """
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    return serialization.get_from_family(identifier, ALL_OBJECTS_DICT,
                                         "regularizer", base=Regularizer)


__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer",
           "deserialize", "get", "l1", "l1_l2", "l2", "orthogonal_regularizer",
           "serialize"]
