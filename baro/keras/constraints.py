"""`keras.constraints`."""

from baro.constraints import *  # noqa: F403
from baro.constraints import __all__  # noqa: F401
