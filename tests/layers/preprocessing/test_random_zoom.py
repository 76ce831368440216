"""RandomZoom: Keras harness, inference pass-through, zoom direction, aspect
ratio, seeding, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.random_zoom import RandomZoom
from baro.testing import assert_allclose
from baro.testing.layer_test import check_layer_gradients, run_layer_test


@pytest.mark.parametrize("kwargs", [
    {"height_factor": 0.2, "seed": 1},
    {"height_factor": (-0.3, -0.2), "width_factor": (0.1, 0.2),
     "fill_mode": "constant"},
    {"height_factor": 0.5, "interpolation": "nearest", "fill_mode": "wrap"},
])
def test_layer(kwargs):
    run_layer_test(RandomZoom, kwargs, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0, expected_num_params=0)


def test_identity_unless_training():
    x = np.random.default_rng(0).random((2, 4, 4, 1)).astype("float32")
    assert_allclose(RandomZoom(0.5, seed=0)(x), x, atol=0)
    assert_allclose(RandomZoom(0.0)(x, training=True), x, atol=0)


def test_positive_factor_zooms_out_negative_zooms_in():
    x = np.arange(25.0, dtype="float32").reshape(1, 5, 5, 1)
    out = RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest")(
        x, training=True).numpy()[0, :, :, 0]
    # z = 2 about the centre: output (1..3) reads input (0, 2, 4).
    assert_allclose(out[1:4, 1:4], x[0, ::2, ::2, 0], atol=0)
    assert (out[0] == 0).all() and (out[:, 4] == 0).all()
    inside = RandomZoom((-0.5, -0.5))(x, training=True).numpy()[0, :, :, 0]
    # z = 0.5: output x reads input 2 + (x - 2) / 2, the central 3x3 magnified.
    assert_allclose(inside[::2, ::2], x[0, 1:4, 1:4, 0], atol=1e-5)


def test_width_factor_none_keeps_the_aspect_ratio():
    rows, cols = np.indices((9, 9)) - 4.0
    disc = np.exp(-(rows**2 + cols**2) / 8.0).astype("float32")
    x = np.repeat(disc[None, :, :, None], 8, axis=0)  # symmetric under x <-> y
    same = RandomZoom((-0.5, 0.5), fill_mode="constant", seed=1)(
        x, training=True).numpy()
    assert_allclose(same, np.transpose(same, (0, 2, 1, 3)), atol=1e-6)
    assert not np.allclose(same[0], same[1])  # one zoom per image
    # Only the width zoomed out by 2: rows keep their profile, columns halve.
    wide = RandomZoom((0.0, 0.0), width_factor=(1.0, 1.0), fill_mode="constant",
                      interpolation="nearest")(x, training=True).numpy()[0, :, :, 0]
    assert_allclose(wide[:, 4], disc[:, 4], atol=0)
    assert_allclose(wide[4, 2:7], disc[4, ::2], atol=0)


def test_seeded_layers_repeat():
    x = np.random.default_rng(2).random((3, 5, 6, 2)).astype("float32")
    a = RandomZoom(0.3, 0.2, seed=9)(x, training=True)
    assert_allclose(RandomZoom(0.3, 0.2, seed=9)(x, training=True), a, atol=0)


def test_errors():
    with pytest.raises(ValueError, match="RandomZoom: height_factor must be"):
        RandomZoom(-1.5)
    with pytest.raises(ValueError, match="width_factor must be"):
        RandomZoom(0.1, "wide")
    with pytest.raises(ValueError, match="unknown interpolation"):
        RandomZoom(0.1, interpolation="area")


def test_gradients_flow_through_the_warp():
    layer = RandomZoom((-0.3, -0.3), (0.2, 0.2), fill_mode="wrap", dtype="float64")
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 2))
    check_layer_gradients(layer, x, training=True)
