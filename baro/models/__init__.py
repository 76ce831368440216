"""Level 8: Model, Sequential and Functional."""

from baro.models.functional import Functional
from baro.models.model import Model
from baro.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
