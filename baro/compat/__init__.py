"""`baro.compat`: TensorFlow 1 compatibility (`import baro.compat.v1 as tf`)."""

from baro.compat import v1

__all__ = ["v1"]
