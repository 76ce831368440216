"""Level 8: Model, Sequential and Functional; saving and loading whole models."""

from baro.models.functional import Functional
from baro.models.model import Model
from baro.models.sequential import Sequential
from baro.saving.saving_api import load_model, model_from_json, save_model

__all__ = ["Functional", "Model", "Sequential", "load_model", "model_from_json",
           "save_model"]
