"""`keras.losses`."""

from baro.losses import *  # noqa: F403
from baro.losses import __all__  # noqa: F401
