"""Name -> class registry, so configs (plain JSON) can be turned back into objects.

Every public serializable class (layers, losses, optimizers, metrics,
initializers, ...) registers itself with `@register_serializable()`. Loading a
config looks names up here and never imports or executes anything else.
"""

from __future__ import annotations

from baro.saving.scope import get_custom_objects

_REGISTRY: dict[str, type] = {}


def register_serializable(package: str = "baro", name: str | None = None):
    """Class decorator: registers `cls` under `package>name` and its bare name.

    Built-in classes use the default package and are found by class name alone
    (`"Dense"`); user classes should pass their own package, e.g.
    `@register_serializable("my_project")`, and are saved as `"my_project>Name"`.
    """

    def decorator(cls):
        key = name or cls.__name__
        _REGISTRY[f"{package}>{key}"] = cls
        if package == "baro":
            # Losses and metrics share class names (MeanSquaredError): the family
            # ("losses", "metrics") disambiguates; the bare name is a fallback.
            _REGISTRY[f"{family_of(cls)}>{key}"] = cls
            _REGISTRY[key] = cls
        cls._registered_name = key if package == "baro" else f"{package}>{key}"
        return cls

    return decorator


def family_of(cls) -> str:
    """The baro sub-package a class lives in: "layers", "losses", ..."""
    parts = cls.__module__.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "baro" else parts[0]


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module: str | None = None):
    """The class or function registered as `name` (or given in `custom_objects`
    or an enclosing `custom_object_scope`), preferring the one from `module` (a
    family such as "losses") when given. A plain lookup: nothing is imported."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    scoped = get_custom_objects()
    if name in scoped:
        return scoped[name]
    if module is not None and f"{module}>{name}" in _REGISTRY:
        return _REGISTRY[f"{module}>{name}"]
    return _REGISTRY.get(name)


def registered_name(obj) -> str:
    """The name a class (or an instance's class) is saved under."""
    cls = obj if isinstance(obj, type) else type(obj)
    # Only the class's own registration counts: a subclass is not its base.
    return cls.__dict__.get("_registered_name", cls.__name__)
