"""`keras.metrics`."""

from baro.metrics import *  # noqa: F403
from baro.metrics import __all__  # noqa: F401
