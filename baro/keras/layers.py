"""`keras.layers`."""

from baro.layers import *  # noqa: F403
from baro.layers import __all__  # noqa: F401
