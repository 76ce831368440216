"""Objects <-> JSON-ready dicts, and the `get(identifier)` rule every family shares.

A serialized object is `{"class_name": name, "config": obj.get_config()}`;
functions (Keras lets `loss="mse"` and `activation=tf.nn.relu`) serialize to
their registered string name.
"""

from __future__ import annotations

import inspect

from baro.saving.registry import family_of, get_registered_object, registered_name


def serialize(obj):
    """Returns a JSON-ready description of `obj` (None stays None)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if hasattr(obj, "get_config"):
        return {"module": family_of(type(obj)), "class_name": registered_name(obj),
                "config": obj.get_config()}
    if callable(obj) and hasattr(obj, "__name__"):
        # A registered function is saved under its registered "package>name".
        return getattr(obj, "_registered_name", obj.__name__)
    raise TypeError(f"Cannot serialize {obj!r}: it has no get_config().")


def deserialize(config, custom_objects: dict | None = None, family: str = "object"):
    """Rebuilds an object from `serialize`'s output.

    Raises:
        ValueError: If the class name is unknown, listing where to register it.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {family} from {config!r}: expected "
                         "{'class_name': ..., 'config': {...}}.")
    name = config["class_name"]
    cls = get_registered_object(name, custom_objects, config.get("module"))
    if cls is None:
        raise ValueError(
            f"Unknown {family} class {name!r}. Pass custom_objects={{'{name}': "
            f"{name}}} or decorate the class with "
            "@baro.saving.register_serializable().")
    inner = config.get("config", {})
    if not hasattr(cls, "from_config"):
        return cls(**inner)
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


def get_from_family(identifier, table: dict, family: str, *, call_classes=True,
                    custom_objects: dict | None = None, base: type | None = None):
    """Resolves a family's identifier, the way `keras.<family>.get` does.

    Args:
        identifier: None, a string name (looked up in `table`, case as given and
            lower-cased), a config dict, a class (instantiated when
            `call_classes`), or an instance/function (returned as is).
        table: The family's name -> object table (functions or classes).
        family: Used in error messages ("activation", "loss", ...).
        base: If given, a registered class found by name must subclass it, so a
            family never returns another family's class (`"Dense"` is no
            initializer).

    Raises:
        ValueError: For an unknown name, listing the valid ones.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        found = table.get(identifier, table.get(identifier.lower()))
        if found is None:
            found = get_registered_object(identifier, custom_objects)
            if base is not None and isinstance(found, type) and \
                    not issubclass(found, base):
                found = None
        if found is None:
            names = ", ".join(sorted(k for k in table if not k[:1].isupper()))
            raise ValueError(
                f"Unknown {family} {identifier!r}. Valid names: {names}.")
        return found() if isinstance(found, type) and call_classes else found
    if isinstance(identifier, dict):
        # The family's own table wins for dicts too (a loss and a metric can share
        # a class name), unless the caller overrides the name.
        name = identifier.get("class_name")
        own = table.get(name) if isinstance(name, str) else None
        if isinstance(own, type) and hasattr(own, "from_config") and not (
                custom_objects and name in custom_objects):
            return own.from_config(identifier.get("config", {}))
        return deserialize(identifier, custom_objects, family)
    if isinstance(identifier, type) and call_classes:
        return identifier()
    if callable(identifier) or hasattr(identifier, "get_config"):
        return identifier
    raise ValueError(f"Could not interpret {family} identifier: {identifier!r}.")
