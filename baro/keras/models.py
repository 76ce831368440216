"""`keras.models`: model classes, saving and loading."""

from baro.models import (
    Functional,
    Model,
    Sequential,
    load_model,
    model_from_json,
    save_model,
)

__all__ = ["Functional", "Model", "Sequential", "load_model", "model_from_json",
           "save_model"]
