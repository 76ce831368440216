"""`keras.optimizers`."""

from baro.optimizers import *  # noqa: F403
from baro.optimizers import __all__  # noqa: F401
