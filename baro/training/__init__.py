"""Level 7: compile / fit / evaluate / predict (the Trainer mixin) and data feeding."""

from baro.training.loops import Trainer
from baro.training.trainer import NaNLossWarning

__all__ = ["NaNLossWarning", "Trainer"]
