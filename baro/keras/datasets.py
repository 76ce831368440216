"""`keras.datasets`: mnist, fashion_mnist, cifar10, cifar100, imdb, reuters,
boston_housing, california_housing (and baro's embedded, offline ones)."""

from baro.datasets import *  # noqa: F403
from baro.datasets import __all__  # noqa: F401
