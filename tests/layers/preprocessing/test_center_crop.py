"""CenterCrop: Keras harness, window offsets, the resize fallback, layouts,
errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.center_crop import CenterCrop
from baro.ops import image
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs,expected", [
    ({"height": 2, "width": 3}, (2, 2, 3, 3)),
    ({"height": 6, "width": 3}, (2, 6, 3, 3)),  # taller than the input: resized
])
def test_layer(kwargs, expected):
    run_layer_test(CenterCrop, kwargs, input_shape=(2, 4, 5, 3),
                   expected_output_shape=expected, expected_num_trainable_weights=0,
                   expected_num_params=0)


def test_window_offsets():
    x = np.arange(2 * 5 * 6 * 1, dtype="float32").reshape(2, 5, 6, 1)
    # int((5 - 2) / 2) = 1 and int((6 - 3) / 2) = 1: the odd pixel is left below.
    assert_allclose(CenterCrop(2, 3)(x), x[:, 1:3, 1:4], atol=0)
    assert_allclose(CenterCrop(5, 6)(x), x, atol=0)
    assert CenterCrop(2, 2)(x.astype("uint8")).dtype == np.float32


def test_smaller_images_are_cropped_to_the_aspect_ratio_and_resized():
    x = np.random.default_rng(0).random((2, 4, 6, 3)).astype("float32")
    expected = image.resize(x, (8, 4), crop_to_aspect_ratio=True)
    assert_allclose(CenterCrop(8, 4)(x), expected, atol=0)


def test_layouts_and_single_images():
    x = np.random.default_rng(1).random((2, 5, 6, 3)).astype("float32")
    first = CenterCrop(3, 2, data_format="channels_first")(
        np.transpose(x, (0, 3, 1, 2))).numpy()
    assert_allclose(np.transpose(first, (0, 2, 3, 1)), CenterCrop(3, 2)(x), atol=0)
    assert_allclose(CenterCrop(3, 2)(x[0]), x[0, 1:4, 2:4], atol=0)
    assert CenterCrop(3, 2).compute_output_shape((None, 5, 6, 3)) == (None, 3, 2, 3)


def test_errors():
    with pytest.raises(ValueError, match="CenterCrop: width must be a positive"):
        CenterCrop(3, -1)
    with pytest.raises(ValueError, match="rank 3 .* or 4"):
        CenterCrop(2, 2)(np.zeros((5, 5), "float32"))
