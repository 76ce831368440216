"""`keras.regularizers`."""

from baro.regularizers import *  # noqa: F403
from baro.regularizers import __all__  # noqa: F401
