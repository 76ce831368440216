"""`keras.activations`."""

from baro.activations import *  # noqa: F403
from baro.activations import __all__  # noqa: F401
