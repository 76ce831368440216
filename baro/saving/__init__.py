"""Level 3: the class registry and (de)serialization of configs."""

from baro.saving.registry import (
    get_registered_object,
    register_serializable,
    registered_name,
)
from baro.saving.serialization import deserialize, get_from_family, serialize

__all__ = [
    "deserialize",
    "get_from_family",
    "get_registered_object",
    "register_serializable",
    "registered_name",
    "serialize",
]
