"""Dense, Activation, Dropout, Flatten, Reshape, Lambda, merging layers."""

import numpy as np
import pytest

import baro
from baro.keras import layers
from baro.testing import assert_allclose


def test_dense_matches_numpy_and_counts_params(rng):
    layer = layers.Dense(4, activation="relu")
    x = rng.standard_normal((5, 3)).astype(np.float32)
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 4) and bias.shape == (4,)
    assert_allclose(y, np.maximum(x @ kernel + bias, 0), rtol=1e-6)
    assert layers.Dense(12, input_dim=8).compute_output_shape((None, 8)) == (None, 12)


def test_dense_on_rank_3_input_uses_last_axis(rng):
    layer = layers.Dense(2)
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    assert_allclose(layer(x), x @ layer.get_weights()[0], rtol=1e-6)


def test_dense_explains_a_wrong_input_shape():
    layer = layers.Dense(10)
    layer(np.ones((32, 784)))
    with pytest.raises(ValueError, match=r"expected 784 features.*\(32, 28, 28\)"
                                         r".*Flatten"):
        layer(np.ones((32, 28, 28)))
    with pytest.raises(ValueError, match="positive integer"):
        layers.Dense(0)


def test_dense_gradients_match_torch(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = layers.Dense(3, activation="tanh")
    x = rng.standard_normal((4, 2)).astype(np.float32)
    with baro.GradientTape() as tape:
        loss = baro.reduce_sum(layer(x) ** 2)
    gk, gb = tape.gradient(loss, [layer.kernel, layer.bias])
    kt = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    bt = torch.tensor(layer.bias.numpy(), requires_grad=True)
    (torch.tanh(torch.tensor(x) @ kt + bt) ** 2).sum().backward()
    assert_allclose(gk, kt.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert_allclose(gb, bt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_activation_layer():
    assert_allclose(layers.Activation("relu")(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])


def test_dropout_only_in_training():
    layer = layers.Dropout(0.5, seed=1)
    x = np.ones((100, 10), np.float32)
    assert_allclose(layer(x), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y).tolist()) == {0.0, 2.0}
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        layers.Dropout(1.5)


def test_flatten_and_reshape():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Flatten().compute_output_shape((None, 3, 4)) == (None, 12)
    first = layers.Flatten(data_format="channels_first")(x).numpy()
    assert_allclose(first[0], np.moveaxis(x, 1, -1)[0].ravel())
    assert layers.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    with pytest.raises(ValueError, match="cannot fill"):
        layers.Reshape((5,))(x)


def test_lambda_layer_and_its_safe_config():
    def double(t):
        return t * 2.0

    layer = layers.Lambda(double)
    assert_allclose(layer(np.ones((1, 2))), [[2.0, 2.0]])
    config = layer.get_config()
    assert config["function"] == "double"
    with pytest.raises(ValueError, match="never loads code"):
        layers.Lambda.from_config(config)
    restored = layers.Lambda.from_config(config, custom_objects={"double": double})
    assert_allclose(restored(np.ones((1, 1))), [[2.0]])


@pytest.mark.parametrize("cls,fn", [
    (layers.Add, lambda a, b: a + b), (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b), (layers.Average, lambda a, b: (a + b) / 2),
    (layers.Maximum, np.maximum), (layers.Minimum, np.minimum)])
def test_merge_layers(cls, fn, rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    assert_allclose(cls()([a, b]), fn(a, b), rtol=1e-6)


def test_merge_errors_and_concatenate():
    with pytest.raises(ValueError, match="list of at least 2"):
        layers.Add()([np.ones((2, 3))])
    with pytest.raises(ValueError, match="cannot be merged"):
        layers.Add()([np.ones((2, 3)), np.ones((2, 4))])
    y = layers.Concatenate(axis=1)([np.ones((2, 3)), np.zeros((2, 2))])
    assert y.shape == (2, 5)
    with pytest.raises(ValueError, match="differ on axis 0"):
        layers.Concatenate(axis=1)([np.ones((2, 3)), np.ones((3, 3))])
    assert layers.Concatenate().compute_output_shape([(None, 3), (None, 2)]) == \
        (None, 5)
