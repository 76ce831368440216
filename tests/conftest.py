"""Shared fixtures: every test starts from the same seed and default config."""

import numpy as np
import pytest

import baro


@pytest.fixture(autouse=True)
def _reset_state():
    baro.utils.set_random_seed(1234)
    baro.backend.set_floatx("float32")
    yield
    baro.backend.set_floatx("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
