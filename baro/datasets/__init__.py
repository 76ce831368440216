"""Side branch: `load_data()` functions returning NumPy arrays (Keras semantics)."""

from baro.datasets import mnist

__all__ = ["mnist"]
