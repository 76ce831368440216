"""RandomContrast: Keras harness, inference pass-through, the contrast formula
per image, the factor range, clipping, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.random_contrast import RandomContrast
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs", [
    {"factor": 0.75, "value_range": (0, 255), "seed": 1},
    {"factor": (0.2, 0.5), "seed": 2, "data_format": "channels_first"},
])
def test_layer(kwargs):
    run_layer_test(RandomContrast, kwargs, input_shape=(2, 3, 4, 3),
                   expected_output_shape=(2, 3, 4, 3),
                   expected_num_trainable_weights=0, expected_num_params=0)


def test_identity_unless_training():
    x = np.random.default_rng(0).random((2, 4, 4, 3)).astype("float32") * 255
    assert_allclose(RandomContrast(0.5, seed=0)(x), x, atol=0)
    assert_allclose(RandomContrast(0.0)(x, training=True), x, atol=1e-4)


def test_each_image_gets_one_factor_in_range():
    x = np.random.default_rng(1).uniform(100, 150, (32, 4, 5, 3)).astype("float32")
    y = RandomContrast((0.3, 0.6), seed=4)(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    # (y - mean) = c (x - mean) with one c per image for all pixels and channels.
    c = ((y - mean) * (x - mean)).sum(axis=(1, 2, 3)) / ((x - mean) ** 2).sum(
        axis=(1, 2, 3))
    assert_allclose(y, (x - mean) * c[:, None, None, None] + mean, atol=1e-3)
    assert (c >= 0.7 - 1e-5).all() and (c <= 1.6 + 1e-5).all()
    assert c.min() < 1.0 < c.max()


def test_outputs_are_clipped_to_value_range():
    x = np.random.default_rng(2).random((4, 6, 6, 1)).astype("float32")
    y = RandomContrast((0.0, 1.0), value_range=(0, 1), seed=0)(x, training=True)
    assert 0.0 <= y.numpy().min() and y.numpy().max() <= 1.0


def test_single_image_and_seeding():
    x = np.random.default_rng(3).random((5, 5, 3)).astype("float32")
    a = RandomContrast(0.5, seed=8)(x, training=True)
    assert a.shape == (5, 5, 3)
    assert_allclose(RandomContrast(0.5, seed=8)(x, training=True), a, atol=0)


def test_errors():
    for bad in (-0.1, 1.5, (0.5,), (1.2, 0.1), "big"):
        with pytest.raises(ValueError, match="RandomContrast: factor must be"):
            RandomContrast(bad)
    with pytest.raises(ValueError, match="value_range must be"):
        RandomContrast(0.1, value_range=(1, 0))
