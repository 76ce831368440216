"""baro.plot.filters and activations: the kernels and feature maps shown are the
layer's own numbers."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

import baro.plot  # noqa: E402
from baro.keras import Input, Model, Sequential, layers  # noqa: E402


def image_axes(fig) -> list:
    return [ax for ax in fig.axes if ax.images and ax.get_title() != "input"]


def cnn() -> Sequential:
    return Sequential([Input((10, 10, 1)),
                       layers.Conv2D(2, 1, use_bias=False, name="conv"),
                       layers.MaxPooling2D(name="pool"),
                       layers.Conv2D(5, 3, name="conv_b"),
                       layers.Flatten(), layers.Dense(3, name="dense")])


def test_filters_of_the_first_conv_layer(tmp_path, check_png):
    model = cnn()
    path = tmp_path / "filters.png"
    fig = baro.plot.filters(model, path=path)
    check_png(path)
    shown = image_axes(fig)
    assert len(shown) == 2
    kernel = model.get_layer("conv").kernel.numpy()
    assert shown[1].images[0].get_array().tolist() == kernel[:, :, 0, 1].tolist()


def test_filters_by_name_average_input_channels_and_limit(tmp_path):
    model = cnn()
    fig = baro.plot.filters(model, layer_name="conv_b", max_filters=4)
    shown = image_axes(fig)
    assert len(shown) == 4
    kernel = model.get_layer("conv_b").kernel.numpy()
    np.testing.assert_allclose(shown[3].images[0].get_array(),
                               kernel[:, :, :, 3].mean(axis=2), rtol=1e-6)
    assert "mean over 2 input channels" in fig._suptitle.get_text()


def test_filters_of_an_rgb_layer_are_colour_images():
    layer = layers.Conv2D(3, 2)
    layer.build((None, 6, 6, 3))
    fig = baro.plot.filters(layer)
    shown = image_axes(fig)
    assert len(shown) == 3
    assert shown[0].images[0].get_array().shape == (2, 2, 3)


def test_filters_refuses_layers_without_a_2d_kernel():
    with pytest.raises(ValueError, match="no 2-D convolution kernel"):
        baro.plot.filters(cnn(), layer_name="dense")
    with pytest.raises(ValueError, match="no built 2-D convolution layer"):
        baro.plot.filters(Sequential([Input((3,)), layers.Dense(2)]))


def test_activations_are_the_layer_outputs(tmp_path, check_png, rng):
    model = cnn()
    model.get_layer("conv").kernel.assign(np.array([[[[1.0, -1.0]]]], "float32"))
    x = rng.random((10, 10, 1)).astype("float32")
    path = tmp_path / "maps.png"
    fig = baro.plot.activations(model, x, "conv", path=path)
    check_png(path)
    maps = image_axes(fig)
    assert len(maps) == 2
    assert [ax.get_title() for ax in fig.axes][0] == "input"
    np.testing.assert_allclose(maps[0].images[0].get_array(), x[..., 0])
    np.testing.assert_allclose(maps[1].images[0].get_array(), -x[..., 0])
    pooled = baro.plot.activations(model, x[None], "pool")
    assert image_axes(pooled)[0].images[0].get_array().shape == (5, 5)


def test_activations_in_a_functional_model(rng):
    inputs = Input((8, 8, 3))
    hidden = layers.Conv2D(4, 3, padding="same", name="features")(inputs)
    model = Model(inputs, layers.Dense(2)(layers.Flatten()(hidden)))
    x = rng.random((2, 8, 8, 3)).astype("float32")
    fig = baro.plot.activations(model, x, "features")
    maps = image_axes(fig)
    assert len(maps) == 4
    expected = Model(inputs, hidden).predict(x[:1], verbose=0)
    np.testing.assert_allclose(maps[2].images[0].get_array(), expected[0, :, :, 2],
                               rtol=1e-5)


def test_activations_errors():
    model = cnn()
    with pytest.raises(ValueError, match="outputs shape"):
        baro.plot.activations(model, np.zeros((10, 10, 1)), "dense")
    with pytest.raises(ValueError, match="rank 4"):
        baro.plot.activations(model, np.zeros((10, 10)), "conv")
    with pytest.raises(ValueError, match="No such layer"):
        baro.plot.activations(model, np.zeros((10, 10, 1)), "missing")
