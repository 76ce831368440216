"""RandomRotation: Keras harness, inference pass-through, Keras angle ranges and
direction, fill modes, seeding, layouts, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.random_rotation import RandomRotation
from baro.testing import assert_allclose
from baro.testing.layer_test import check_layer_gradients, run_layer_test


@pytest.mark.parametrize("kwargs", [
    {"factor": 0.2, "seed": 1},
    {"factor": (-0.1, 0.3), "fill_mode": "constant", "fill_value": 1.0},
    {"factor": 0.5, "fill_mode": "wrap", "interpolation": "nearest"},
])
def test_layer(kwargs):
    run_layer_test(RandomRotation, kwargs, input_shape=(2, 4, 5, 3),
                   expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0, expected_num_params=0)


def test_identity_unless_training():
    x = np.random.default_rng(0).random((2, 5, 5, 1)).astype("float32")
    layer = RandomRotation(0.5, seed=0)
    assert_allclose(layer(x), x, atol=0)
    assert_allclose(RandomRotation(0.0)(x, training=True), x, atol=1e-6)


def test_a_quarter_turn_is_counter_clockwise():
    x = np.random.default_rng(1).random((3, 5, 5, 2)).astype("float32")
    y = RandomRotation((0.25, 0.25))(x, training=True)
    assert_allclose(y, np.rot90(x, 1, axes=(1, 2)), atol=1e-6)
    y = RandomRotation((-0.5, -0.5))(x, training=True)
    assert_allclose(y, x[:, ::-1, ::-1], atol=1e-6)


def test_angles_stay_in_range_and_differ_per_image():
    # A bright pixel right of the centre moves to angle a = atan2(-dy, dx).
    x = np.zeros((64, 41, 41, 1), "float32")
    x[:, 20, 35] = 1.0
    y = RandomRotation((0.05, 0.1), fill_mode="constant", seed=4)(
        x, training=True).numpy()[..., 0]
    rows, cols = np.indices((41, 41))
    weight = y.sum(axis=(1, 2))
    cy = (y * rows).sum(axis=(1, 2)) / weight
    cx = (y * cols).sum(axis=(1, 2)) / weight
    turns = np.arctan2(20 - cy, cx - 20) / (2 * np.pi)
    assert (turns > 0.05 - 0.01).all() and (turns < 0.1 + 0.01).all()
    assert turns.std() > 0.01


def test_fill_modes_and_value():
    x = np.ones((1, 6, 6, 1), "float32")
    corner = RandomRotation((0.125, 0.125), fill_mode="constant", fill_value=-1.0)(
        x, training=True).numpy()
    assert corner[0, 0, 0, 0] == -1.0 and corner[0, 3, 3, 0] == 1.0
    for mode in ("reflect", "wrap", "nearest"):
        out = RandomRotation((0.125, 0.125), fill_mode=mode)(x, training=True)
        assert_allclose(out, x, atol=1e-6)


def test_seeded_layers_repeat_and_layouts_agree():
    x = np.random.default_rng(2).random((2, 5, 6, 3)).astype("float32")
    a = RandomRotation(0.3, seed=5)(x, training=True)
    b = RandomRotation(0.3, seed=5)(x, training=True)
    assert_allclose(a, b, atol=0)
    first = RandomRotation(0.3, seed=5, data_format="channels_first")(
        np.transpose(x, (0, 3, 1, 2)), training=True).numpy()
    assert_allclose(np.transpose(first, (0, 2, 3, 1)), a, atol=1e-6)
    single = RandomRotation(0.3, seed=5)(x[0], training=True)
    assert single.shape == (5, 6, 3)


def test_errors():
    with pytest.raises(ValueError, match=r"RandomRotation: factor must be .*1\]"):
        RandomRotation(1.5)
    with pytest.raises(ValueError, match="unknown fill_mode 'mirror'"):
        RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="unknown interpolation 'bicubic'"):
        RandomRotation(0.1, interpolation="bicubic")


def test_gradients_flow_through_the_warp():
    layer = RandomRotation((0.1, 0.1), fill_mode="reflect", dtype="float64")
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 2))
    check_layer_gradients(layer, x, training=True)


def test_augments_inside_fit_and_not_in_predict():
    from baro.keras import Input
    from baro.keras.layers import Dense, Flatten
    from baro.keras.models import Sequential

    x = np.random.default_rng(4).random((8, 5, 5, 1)).astype("float32")
    model = Sequential([Input((5, 5, 1)), RandomRotation(0.2, seed=1), Flatten(),
                        Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(x, np.zeros((8, 1)), epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0), atol=0)
