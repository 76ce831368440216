"""Level 4: weight initializers by name (`keras.initializers`).

`get("glorot_uniform")` returns a new `GlorotUniform()`; class names, Keras's
snake_case names and its aliases (`"normal"`, `"uniform"`, `"one"`, `"zero"`)
all work. The snake_case names are also module attributes bound to the classes,
as in Keras (`baro.initializers.he_normal is HeNormal`).
"""

from __future__ import annotations

from baro.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from baro.initializers.initializer import Initializer
from baro.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomInitializer,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)
from baro.saving import serialization

IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

# Keras's snake_case names (and its aliases), bound to the classes.
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros

_CLASSES = (Initializer, Constant, Identity, Ones, Zeros, GlorotNormal,
            GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform,
            Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling)

ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({
    "initializer": Initializer, "constant": Constant, "glorot_normal": GlorotNormal,
    "glorot_uniform": GlorotUniform, "he_normal": HeNormal,
    "he_uniform": HeUniform, "identity": Identity, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform, "ones": Ones, "orthogonal": Orthogonal,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "zeros": Zeros,
    # Keras aliases.
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
    "orthogonal_initializer": Orthogonal, "normal": RandomNormal,
    "uniform": RandomUniform, "one": Ones, "zero": Zeros,
})


def serialize(initializer: Initializer) -> dict:
    """`{"class_name": ..., "config": ...}` for `initializer`.

    Example:
        >>> from baro import initializers
        >>> initializers.serialize(initializers.Constant(2.0))
        {'module': 'initializers', 'class_name': 'Constant', 'config': {'value': 2.0}}
    """
    return serialization.serialize(initializer)


def deserialize(config: dict | str, custom_objects: dict | None = None):
    """Rebuilds an initializer from `serialize`'s output (or a name).

    Raises:
        ValueError: For an unknown class name, listing the valid ones.
    """
    return serialization.get_from_family(config, ALL_OBJECTS_DICT, "initializer",
                                         base=Initializer,
                                         custom_objects=custom_objects)


def get(identifier):
    """Resolves an initializer identifier the way `keras.initializers.get` does.

    Args:
        identifier: None (returned as None), a name (`"he_normal"`,
            `"HeNormal"`), a config dict, a class (instantiated), or an
            instance / callable (returned as is).

    Returns:
        An initializer (a new instance for names and classes), or None.

    Raises:
        ValueError: For an unknown name (listing the valid ones) or an
            identifier of another kind.

    Example:
        >>> from baro import initializers
        >>> initializers.get("glorot_uniform")
        GlorotUniform(seed=None)
    """
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return serialization.get_from_family(identifier, ALL_OBJECTS_DICT,
                                         "initializer", base=Initializer)


__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform",
    "Identity", "IdentityInitializer", "Initializer", "LecunNormal",
    "LecunUniform", "Ones", "Orthogonal", "OrthogonalInitializer",
    "RandomInitializer", "RandomNormal", "RandomUniform", "TruncatedNormal",
    "VarianceScaling", "Zeros", "compute_fans", "constant", "deserialize", "get",
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
    "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal",
    "random_uniform", "serialize", "truncated_normal", "variance_scaling",
    "zeros",
]
