"""`keras.callbacks`."""

from baro.callbacks import *  # noqa: F403
from baro.callbacks import __all__  # noqa: F401
