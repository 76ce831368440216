"""Resizing: Keras harness, values vs torch, integer images, aspect-ratio
options, layouts, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.resizing import Resizing
from baro.ops import image
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs,expected", [
    ({"height": 6, "width": 2}, (2, 6, 2, 3)),
    ({"height": 3, "width": 3, "interpolation": "nearest"}, (2, 3, 3, 3)),
    ({"height": 8, "width": 8, "crop_to_aspect_ratio": True}, (2, 8, 8, 3)),
    ({"height": 8, "width": 8, "pad_to_aspect_ratio": True}, (2, 8, 8, 3)),
])
def test_layer(kwargs, expected):
    run_layer_test(Resizing, kwargs, input_shape=(2, 4, 5, 3),
                   expected_output_shape=expected, expected_num_trainable_weights=0,
                   expected_num_params=0)


def test_bilinear_matches_torch():
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = np.random.default_rng(0).random((2, 5, 7, 3)).astype("float32")
    expected = torch.nn.functional.interpolate(
        torch.tensor(x).permute(0, 3, 1, 2), size=(9, 4), mode="bilinear",
        align_corners=False).permute(0, 2, 3, 1).numpy()
    assert_allclose(Resizing(9, 4)(x), expected, atol=1e-6)


def test_integer_images_stay_integers():
    x = np.array([[0, 255]], "uint8").reshape(1, 1, 2, 1)
    y = Resizing(1, 4)(x)
    assert y.dtype == np.uint8
    # Bilinear 0 .. 255 at 1/4 and 3/4: 63.75 -> 64, 191.25 -> 191.
    assert_allclose(y.numpy().ravel(), [0, 64, 191, 255], atol=0)
    assert Resizing(2, 2, interpolation="nearest")(x.astype("int32")).dtype == np.int32


def test_aspect_ratio_options_and_layouts():
    x = np.random.default_rng(1).random((2, 4, 8, 3)).astype("float32")
    cropped = Resizing(2, 2, crop_to_aspect_ratio=True)(x)
    assert_allclose(cropped, image.resize(x[:, :, 2:6], (2, 2)))
    padded = Resizing(8, 8, pad_to_aspect_ratio=True, fill_value=-1.0)(x).numpy()
    assert (padded[:, :2] == -1).all() and (padded[:, -2:] == -1).all()
    first = Resizing(3, 5, data_format="channels_first")(np.transpose(x, (0, 3, 1, 2)))
    assert_allclose(np.transpose(first.numpy(), (0, 2, 3, 1)), Resizing(3, 5)(x),
                    atol=1e-6)
    layer = Resizing(3, 5)
    assert layer(x[0]).shape == (3, 5, 3)
    assert layer.compute_output_shape((None, 4, 8, 3)) == (None, 3, 5, 3)


def test_errors():
    with pytest.raises(ValueError, match="Resizing: height must be a positive"):
        Resizing(0, 3)
    with pytest.raises(ValueError, match="unknown interpolation 'lanczos3'"):
        Resizing(3, 3, interpolation="lanczos3")
    with pytest.raises(ValueError, match="only one of"):
        Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
