"""Level 4: activation functions by name (`keras.activations`).

`get("relu")` returns the function; `get(None)` returns `linear` (what a layer's
`activation=None` means); callables pass through. Activations serialize to their
name string, so `Dense(..., activation="relu")` configs stay plain JSON.
"""

from __future__ import annotations

from collections.abc import Callable

from baro.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)
from baro.saving import serialization
from baro.saving.registry import get_registered_object

_FUNCTIONS = (celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid,
              hard_silu, hard_tanh, leaky_relu, linear, log_sigmoid, log_softmax,
              mish, relu, relu6, selu, sigmoid, silu, soft_shrink, softmax,
              softplus, softsign, sparse_plus, sparse_sigmoid, squareplus, tanh,
              tanh_shrink, threshold)

# name -> function, with Keras's aliases; serialize() writes the canonical name.
ALL_OBJECTS_DICT: dict[str, Callable] = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT.update(swish=silu, hard_swish=hard_silu)


def serialize(activation: Callable) -> str | dict:
    """Returns the name `activation` is saved under (a dict for config objects).

    Args:
        activation: A built-in activation, a registered function, or an object
            with `get_config()`.

    Returns:
        The name string (`swish` saves as `"silu"`), or a class-name/config dict.

    Raises:
        ValueError: If a plain function is neither built in nor registered.

    Example:
        >>> from baro import activations
        >>> activations.serialize(activations.swish)
        'silu'
    """
    if any(activation is fn for fn in _FUNCTIONS):
        return activation.__name__
    if hasattr(activation, "get_config"):
        return serialization.serialize(activation)
    name = getattr(activation, "_registered_name", None)
    if name is not None and get_registered_object(name) is activation:
        return name
    raise ValueError(
        f"activations.serialize: cannot save {activation!r}: it is not a built-in "
        "activation. Register it with @baro.saving.register_serializable() "
        "or pass one of: " + ", ".join(sorted(ALL_OBJECTS_DICT)) + ".")


def deserialize(config: str | dict, custom_objects: dict | None = None) -> Callable:
    """Returns the activation a name (or config dict) stands for.

    Args:
        config: A name from `serialize`, or a class-name/config dict.
        custom_objects: Optional name -> function/class mapping for user objects.

    Raises:
        ValueError: For an unknown name, listing the valid ones.
    """
    if isinstance(config, str) and custom_objects and config in custom_objects:
        return custom_objects[config]
    return _resolve(config, custom_objects)


def get(identifier) -> Callable:
    """Resolves an activation identifier the way `keras.activations.get` does.

    Args:
        identifier: None (gives `linear`), a name such as `"relu"`, a config
            dict, or a callable (returned as is).

    Returns:
        A callable activation.

    Raises:
        ValueError: For an unknown name (listing the valid ones) or an
            identifier that is not a name, dict or callable.

    Example:
        >>> from baro import activations
        >>> activations.get("relu") is activations.relu
        True
        >>> activations.get(None) is activations.linear
        True
    """
    if identifier is None:
        return linear
    return _resolve(identifier, None)


def _resolve(identifier, custom_objects):
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        # Keras 3's serialize_keras_object form of a plain function:
        # {"class_name": "function", "config": "relu", ...}.
        identifier = identifier.get("config")
    found = serialization.get_from_family(
        identifier, ALL_OBJECTS_DICT, "activation", call_classes=False,
        custom_objects=custom_objects)
    if not callable(found):
        raise ValueError(
            f"Could not interpret activation identifier {identifier!r}: it "
            "resolved to a non-callable object.")
    return found


__all__ = sorted(ALL_OBJECTS_DICT) + ["deserialize", "get", "serialize"]
