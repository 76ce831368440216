"""`keras.saving`: saving, loading, and making your own classes loadable."""

from baro.saving import (
    deserialize as deserialize_keras_object,
)
from baro.saving import (
    get_registered_object,
    registered_name,
)
from baro.saving import (
    register_serializable as register_keras_serializable,
)
from baro.saving import (
    serialize as serialize_keras_object,
)
from baro.saving.saving_api import load_model, load_weights, save_model, save_weights
from baro.saving.scope import CustomObjectScope, custom_object_scope, get_custom_objects

get_registered_name = registered_name

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_registered_name", "get_registered_object",
           "load_model", "load_weights", "register_keras_serializable",
           "save_model", "save_weights", "serialize_keras_object"]
