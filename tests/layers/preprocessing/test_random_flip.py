"""RandomFlip: Keras harness, inference pass-through, per-image flips, modes,
seeding, layouts, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.random_flip import RandomFlip
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_layer(mode):
    run_layer_test(RandomFlip, {"mode": mode, "seed": 1}, input_shape=(2, 3, 4, 3),
                   expected_output_shape=(2, 3, 4, 3),
                   expected_num_trainable_weights=0, expected_num_params=0)


def images(n=32):
    return np.random.default_rng(0).random((n, 3, 4, 2)).astype("float32")


def which(y, candidates):
    """Index of the candidate each image equals (-1 if none)."""
    found = []
    for i in range(len(y)):
        hits = [k for k, c in enumerate(candidates) if np.array_equal(y[i], c[i])]
        found.append(hits[0] if hits else -1)
    return np.array(found)


def test_identity_unless_training():
    x = images()
    layer = RandomFlip(seed=0)
    assert_allclose(layer(x), x, atol=0)
    assert_allclose(layer(x, training=False), x, atol=0)
    assert layer((x * 255).astype("uint8")).dtype == np.float32  # Keras: floats


@pytest.mark.parametrize("mode,variants", [
    ("horizontal", lambda x: [x, x[:, :, ::-1]]),
    ("vertical", lambda x: [x, x[:, ::-1]]),
    ("horizontal_and_vertical", lambda x: [x, x[:, :, ::-1], x[:, ::-1],
                                           x[:, ::-1, ::-1]]),
])
def test_each_image_is_flipped_or_not(mode, variants):
    x = images(64)
    y = RandomFlip(mode, seed=3)(x, training=True).numpy()
    seen = which(y, variants(x))
    assert (seen >= 0).all()
    # Each flip is a fair coin per image (and the two flips independent).
    assert set(seen) == set(range(len(variants(x))))


def test_seeded_layers_repeat_and_calls_differ():
    x = images()
    a = RandomFlip(seed=7)
    b = RandomFlip(seed=7)
    first = a(x, training=True).numpy()
    assert_allclose(b(x, training=True), first, atol=0)
    assert not np.array_equal(a(x, training=True).numpy(), first)


def test_single_image_and_channels_first():
    x = images(1)
    y = RandomFlip("horizontal", seed=2)(x[0], training=True).numpy()
    assert which(y[None], [x, x[:, :, ::-1]])[0] >= 0
    first = np.transpose(x, (0, 3, 1, 2))
    z = RandomFlip("vertical", seed=2, data_format="channels_first")(
        np.repeat(first, 16, 0), training=True).numpy()
    assert set(which(z, [np.repeat(first, 16, 0),
                         np.repeat(first[:, :, ::-1], 16, 0)])) == {0, 1}


def test_errors():
    with pytest.raises(ValueError, match="RandomFlip: unknown mode 'diagonal'"):
        RandomFlip("diagonal")
    with pytest.raises(ValueError, match="data_format"):
        RandomFlip(data_format="nhwc")
    with pytest.raises(ValueError, match="rank 3 .* or 4"):
        RandomFlip()(np.zeros((4, 4), "float32"))
