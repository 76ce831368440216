"""Name -> class registry, so configs (plain JSON) can be turned back into objects.

Every public serializable class (layers, losses, optimizers, metrics,
initializers, ...) registers itself with `@register_serializable()`. Loading a
config looks names up here and never imports or executes anything else.
"""

from __future__ import annotations

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
            _REGISTRY[key] = cls
        cls._registered_name = key if package == "baro" else f"{package}>{key}"
        return cls

    return decorator


def get_registered_object(name: str, custom_objects: dict | None = None):
    """The class or function registered (or given in `custom_objects`) as `name`."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _REGISTRY.get(name)


def registered_name(obj) -> str:
    """The name a class (or an instance's class) is saved under."""
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "_registered_name", cls.__name__)
