"""`keras.models`: model classes, saving and loading."""

from baro.models import Functional, Model, Sequential
from baro.saving.saving_api import load_model

__all__ = ["Functional", "Model", "Sequential", "load_model"]
