"""A table of optional file formats, filled from above without imports upward.

`saving_api` knows formats by name ("keras", "keras_h5", "weights_h5", "onnx");
the packages that implement them (`baro.interop`, `baro.export`) sit above it
and register their functions here. `baro/__init__.py` registers *providers*:
callables that import such a package on first use, so `import baro` stays fast
and `model.export(...)` works without importing `baro.export` by hand.
"""

from __future__ import annotations

from collections.abc import Callable

_FORMATS: dict[str, dict[str, Callable]] = {}
_PROVIDERS: dict[str, Callable[[], object]] = {}


def register_format(name: str, **functions: Callable) -> None:
    """Registers the functions of format `name` (e.g. `save=`, `load=`,
    `export=`)."""
    _FORMATS.setdefault(name, {}).update(functions)


def register_provider(name: str, provider: Callable[[], object]) -> None:
    """Registers a callable that, called once, registers format `name`."""
    _PROVIDERS[name] = provider


def get_format_function(name: str, function: str) -> Callable | None:
    """The registered `function` of format `name`, importing its provider on
    first use; None if there is none (or the provider cannot be imported)."""
    if function not in _FORMATS.get(name, {}) and name in _PROVIDERS:
        provider = _PROVIDERS.pop(name)
        try:
            provider()
        except ImportError:
            return None
    return _FORMATS.get(name, {}).get(function)


def format_names(function: str) -> list[str]:
    """Names of the formats that have (or may provide) `function`."""
    names = {n for n, f in _FORMATS.items() if function in f}
    return sorted(names | set(_PROVIDERS))
