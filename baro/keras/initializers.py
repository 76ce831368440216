"""`keras.initializers`."""

from baro.initializers import *  # noqa: F403
from baro.initializers import __all__  # noqa: F401
