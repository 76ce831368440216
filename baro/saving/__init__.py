"""Level 3: the class registry, (de)serialization of configs, model files."""

from baro.saving.registry import (
    get_registered_object,
    register_serializable,
    registered_name,
)
from baro.saving.scope import (
    CustomObjectScope,
    custom_object_scope,
    enable_unsafe_deserialization,
    get_custom_objects,
)
from baro.saving.serialization import deserialize, get_from_family, serialize

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize",
    "enable_unsafe_deserialization",
    "get_custom_objects",
    "get_from_family",
    "get_registered_object",
    "register_serializable",
    "registered_name",
    "serialize",
]
