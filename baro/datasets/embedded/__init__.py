"""Datasets that ship inside baro, so the first hour works without a network.

- `load_digits` / `digits.load_data`: 1,797 real 8x8 handwritten digits
  (UCI, Alpaydin & Kaynak 1998, CC BY 4.0).
- `load_temperatures` and `polynomial_features`: twelve monthly mean
  temperatures for a first polynomial fit.
- `make_xor`, `make_sine`, `make_moons`, `make_spirals`, `make_blobs`: seeded
  toy problems for regression and 2-D classification.
"""

from baro.datasets.embedded import digits
from baro.datasets.embedded.digits import load_digits
from baro.datasets.embedded.synthetic import (
    make_blobs,
    make_moons,
    make_sine,
    make_spirals,
    make_xor,
)
from baro.datasets.embedded.temperatures import load_temperatures, polynomial_features

__all__ = ["digits", "load_digits", "load_temperatures", "make_blobs", "make_moons",
           "make_sine", "make_spirals", "make_xor", "polynomial_features"]
