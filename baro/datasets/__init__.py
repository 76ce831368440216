"""Side branch: `load_data()` functions returning NumPy arrays (Keras semantics).

Each loader reads a file you pass (`path=`, in the formats people have) or the
copy in the cache (`$BARO_HOME/datasets`, default `~/.baro/datasets`), which it
downloads on first use from Keras's public URL, checks against a pinned hash
and writes atomically. Pickled formats are read with a restricted unpickler.
"""

from baro.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    embedded,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from baro.datasets.embedded import (
    load_digits,
    load_temperatures,
    make_blobs,
    make_moons,
    make_sine,
    make_spirals,
    make_xor,
)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "embedded",
           "fashion_mnist", "imdb", "load_digits", "load_temperatures", "make_blobs",
           "make_moons", "make_sine", "make_spirals", "make_xor", "mnist", "reuters"]
