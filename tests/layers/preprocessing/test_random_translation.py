"""RandomTranslation: Keras harness, inference pass-through, shift direction and
size, fill modes, seeding, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.random_translation import RandomTranslation
from baro.testing import assert_allclose
from baro.testing.layer_test import check_layer_gradients, run_layer_test


@pytest.mark.parametrize("kwargs", [
    {"height_factor": 0.2, "width_factor": 0.2, "seed": 1},
    {"height_factor": (-0.2, 0.3), "width_factor": 0.1, "fill_mode": "constant"},
    {"height_factor": 0.5, "width_factor": 0.0, "fill_mode": "nearest",
     "interpolation": "nearest"},
])
def test_layer(kwargs):
    run_layer_test(RandomTranslation, kwargs, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0, expected_num_params=0)


def test_identity_unless_training():
    x = np.random.default_rng(0).random((2, 4, 4, 1)).astype("float32")
    assert_allclose(RandomTranslation(0.5, 0.5, seed=0)(x), x, atol=0)
    assert_allclose(RandomTranslation(0.0, 0.0)(x, training=True), x, atol=0)


def test_positive_factors_move_content_down_and_right():
    x = np.random.default_rng(1).random((2, 4, 8, 1)).astype("float32")
    y = RandomTranslation((0.25, 0.25), (0.25, 0.25), fill_mode="constant",
                          fill_value=-1.0)(x, training=True).numpy()
    assert_allclose(y[:, 1:, 2:], x[:, :3, :6], atol=1e-6)  # 1 row, 2 columns
    assert (y[:, 0] == -1).all() and (y[:, :, :2] == -1).all()
    up_left = RandomTranslation((-0.25, -0.25), (-0.5, -0.5), fill_mode="wrap")(
        x, training=True)
    assert_allclose(up_left, np.roll(x, (-1, -4), axis=(1, 2)), atol=1e-6)
    edge = RandomTranslation(0.0, (0.25, 0.25), fill_mode="nearest")(
        x, training=True).numpy()
    assert_allclose(edge[:, :, 0], x[:, :, 0], atol=1e-6)
    assert_allclose(edge[:, :, 1], x[:, :, 0], atol=1e-6)


def test_shifts_are_drawn_per_image_within_range():
    x = np.zeros((64, 1, 101, 1), "float32")
    x[:, 0, 50] = 1.0
    y = RandomTranslation(0.0, (0.1, 0.2), fill_mode="constant", seed=3)(
        x, training=True).numpy()[:, 0, :, 0]
    moved = (y * np.arange(101)).sum(axis=1) / y.sum(axis=1) - 50
    assert (moved >= 10.1 - 1e-4).all() and (moved <= 20.2 + 1e-4).all()
    assert moved.std() > 1.0


def test_seeded_layers_repeat():
    x = np.random.default_rng(2).random((3, 5, 6, 2)).astype("float32")
    a = RandomTranslation(0.3, 0.3, seed=9)(x, training=True)
    assert_allclose(RandomTranslation(0.3, 0.3, seed=9)(x, training=True), a, atol=0)


def test_errors():
    with pytest.raises(ValueError, match="RandomTranslation: height_factor must be"):
        RandomTranslation(2.0, 0.1)
    with pytest.raises(ValueError, match="width_factor must be"):
        RandomTranslation(0.1, (0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="unknown fill_mode"):
        RandomTranslation(0.1, 0.1, fill_mode="edge")


def test_gradients_flow_through_the_warp():
    layer = RandomTranslation((0.15, 0.15), (-0.3, -0.3), fill_mode="constant",
                              fill_value=0.5, dtype="float64")
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 2))
    check_layer_gradients(layer, x, training=True)
