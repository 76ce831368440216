"""Conv2D: Keras shapes and parameter counts, torch parity, formats, errors."""

import numpy as np
import pytest

import baro
from baro.keras import Input, Sequential, layers
from baro.layers.convolutional.conv2d import Conv2D
from baro.layers.pooling.max_pooling2d import MaxPooling2D
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("kwargs,input_shape,output_shape,params", [
    # Keras's conv_test.py configurations.
    (dict(filters=5, kernel_size=2), (3, 5, 5, 4), (3, 4, 4, 5), 85),
    (dict(filters=6, kernel_size=2, padding="same", dilation_rate=(2, 2),
          groups=2), (3, 4, 4, 4), (3, 4, 4, 6), 54),
    (dict(filters=6, kernel_size=(2, 2), strides=(2, 1), groups=2),
     (3, 5, 5, 4), (3, 2, 4, 6), 54),
    (dict(filters=3, kernel_size=3, strides=2, padding="same",
          data_format="channels_first", activation="relu"),
     (2, 2, 5, 6), (2, 3, 3, 3), 57),
    # The MNIST convnet's layers (relu left out here: with thousands of outputs
    # a finite difference may straddle relu's kink; torch parity covers relu).
    (dict(filters=32, kernel_size=3), (2, 28, 28, 1), (2, 26, 26, 32), 320),
    (dict(filters=64, kernel_size=3), (1, 13, 13, 32), (1, 11, 11, 64), 18_496),
    (dict(filters=4, kernel_size=3, use_bias=False, activation="tanh"),
     (2, 5, 5, 2), (2, 3, 3, 4), 72),
])
def test_conv2d_layer_contract(kwargs, input_shape, output_shape, params):
    weights = 2 if kwargs.get("use_bias", True) else 1
    layer = run_layer_test(Conv2D, kwargs, input_shape=input_shape,
                           expected_output_shape=output_shape,
                           expected_num_trainable_weights=weights,
                           expected_num_non_trainable_weights=0,
                           expected_num_params=params)
    assert layer.kernel.shape[:2] == layer.kernel_size
    assert [w.name for w in layer.weights] == ["kernel", "bias"][:weights]


def _torch_conv2d(torch, x, kernel, bias, padding, strides, dilation, groups):
    """NHWC through torch, with TF's "same" (the odd pad at the end)."""
    xt = x.permute(0, 3, 1, 2)
    if padding == "same":
        pads = []
        for n, k, s, d in zip(reversed(xt.shape[2:]), reversed(kernel.shape[:2]),
                              reversed(strides), reversed(dilation), strict=True):
            k_eff = (k - 1) * d + 1
            total = max((-(-n // s) - 1) * s + k_eff - n, 0)
            pads += [total // 2, total - total // 2]
        xt = torch.nn.functional.pad(xt, pads)
    out = torch.nn.functional.conv2d(xt, kernel.permute(3, 2, 0, 1), bias,
                                     stride=strides, dilation=dilation, groups=groups)
    return out.permute(0, 2, 3, 1)


@pytest.mark.parametrize("kwargs", [
    dict(padding="valid", strides=(1, 1), dilation_rate=(1, 1), groups=1,
         activation="relu"),
    dict(padding="same", strides=(2, 2), dilation_rate=(1, 1), groups=1,
         activation="relu"),
    dict(padding="same", strides=(1, 1), dilation_rate=(2, 1), groups=2,
         activation="tanh"),
    dict(padding="valid", strides=(2, 1), dilation_rate=(1, 1), groups=4,
         activation=None),
])
def test_conv2d_forward_and_gradients_match_torch(kwargs, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = Conv2D(8, (3, 2), dtype="float64",
                   bias_initializer="random_normal", **kwargs)
    x = rng.standard_normal((2, 7, 6, 4))
    xb = baro.Tensor(x, requires_grad=True)
    with baro.GradientTape() as tape:
        y = layer(xb)
        seed = rng.standard_normal(y.shape)
        loss = baro.reduce_sum(y * seed)
    gx, gk, gb = tape.gradient(loss, [xb, layer.kernel, layer.bias])

    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    bt = torch.tensor(layer.bias.numpy(), requires_grad=True)
    out = _torch_conv2d(torch, xt, kt, bt, kwargs["padding"], kwargs["strides"],
                        kwargs["dilation_rate"], kwargs["groups"])
    out = {"relu": torch.relu, "tanh": torch.tanh, None: lambda v: v}[
        kwargs["activation"]](out)
    (out * torch.tensor(seed)).sum().backward()
    assert_allclose(y, out.detach().numpy(), atol=1e-10)
    assert_allclose(gx, xt.grad.numpy(), atol=1e-10)
    assert_allclose(gk, kt.grad.numpy(), atol=1e-10)
    assert_allclose(gb, bt.grad.numpy(), atol=1e-10)


def test_conv2d_matches_a_numpy_reference(rng):
    layer = Conv2D(3, 2, bias_initializer="ones", activation="relu")
    x = rng.standard_normal((2, 4, 5, 2)).astype(np.float32)
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    expected = np.zeros((2, 3, 4, 3), np.float32)
    for i in range(3):
        for j in range(4):
            patch = x[:, i:i + 2, j:j + 2, :]
            expected[:, i, j] = np.einsum("nhwc,hwco->no", patch, kernel) + bias
    assert y.dtype == np.float32
    assert_allclose(y, np.maximum(expected, 0), rtol=1e-5, atol=1e-6)


def test_conv2d_channels_first_matches_channels_last(rng):
    last = Conv2D(4, 3, strides=2, padding="same")
    first = Conv2D(4, 3, strides=2, padding="same", data_format="channels_first")
    x = rng.standard_normal((2, 7, 5, 3)).astype(np.float32)
    y_last = last(x)
    first(np.moveaxis(x, -1, 1))
    first.set_weights(last.get_weights())
    assert_allclose(first(np.moveaxis(x, -1, 1)), np.moveaxis(y_last.numpy(), -1, 1),
                    rtol=1e-5, atol=1e-6)
    assert first.compute_output_shape((None, 3, 7, 5)) == (None, 4, 4, 3)


def test_conv2d_compute_output_shape_keeps_unknown_sizes():
    layer = Conv2D(6, 3, strides=2)
    assert layer.compute_output_shape((None, None, 9, 2)) == (None, None, 4, 6)
    assert Conv2D(6, 3, padding="same", strides=2).compute_output_shape(
        (4, 9, 10, 2)) == (4, 5, 5, 6)


def test_mnist_convnet_has_keras_parameter_counts():
    model = Sequential([
        Input(shape=(28, 28, 1)),
        Conv2D(32, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    assert [layer.count_params() for layer in model.layers] == \
        [320, 0, 18_496, 0, 0, 0, 16_010]
    assert model.count_params() == 34_826
    assert model.output_shape == (None, 10)


def test_conv2d_trains_in_a_model(rng):
    baro.utils.set_random_seed(0)
    model = Sequential([Input(shape=(6, 6, 1)), Conv2D(4, 3, activation="relu"),
                        MaxPooling2D(), layers.Flatten(), layers.Dense(2)])
    model.compile("adam", "mse")
    x = rng.standard_normal((16, 6, 6, 1)).astype(np.float32)
    y = np.stack([x.mean(axis=(1, 2, 3)), x.std(axis=(1, 2, 3))], axis=1)
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_conv2d_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"Conv2D: `filters` must be .*filters=0"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"divisible by the number of groups.*"
                                         r"filters=5, groups=2"):
        Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match=r"kernel_size.*2 positive.*\(1, 0\)"):
        Conv2D(2, (1, 0))
    with pytest.raises(ValueError, match=r"strides.*\(1, 2, 3\)"):
        Conv2D(2, 3, strides=(1, 2, 3))
    with pytest.raises(ValueError, match="strides > 1 is not supported together"):
        Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"padding must be one of \('valid', "
                                         r"'same'\); received padding='causal'"):
        Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="data_format.*'NHWC'"):
        Conv2D(2, 3, data_format="NHWC")


def test_conv2d_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"divisible by groups.*groups=2 and 3 "
                                         r"channels"):
        Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"expects inputs of rank 4.*\(5, 5, 3\)"):
        Conv2D(4, 3)(np.ones((5, 5, 3)))
    with pytest.raises(ValueError, match=r"smaller than the kernel.*padding='same'"):
        Conv2D(4, 5)(np.ones((1, 3, 3, 1)))
    layer = Conv2D(4, 3)
    layer(np.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"built for inputs of rank 4 with 3 "
                                         r"channels.*\(1, 5, 5, 2\)"):
        layer(np.ones((1, 5, 5, 2)))


def test_relu_activation_joins_the_conv_node(rng):
    x = rng.standard_normal((1, 5, 5, 2)).astype(np.float32)
    fused = Conv2D(3, 3, activation="relu")(x)
    assert type(fused.creator).__name__ == "Conv" and fused.creator.relu
    separate = Conv2D(3, 3, activation="tanh")(x)
    assert type(separate.creator).__name__ == "Tanh"


def test_conv2d_regularizers_add_losses():
    layer = Conv2D(2, 3, kernel_regularizer="l2", bias_regularizer="l1",
                   activity_regularizer="l2")
    layer(np.ones((1, 4, 4, 1), np.float32))
    assert len(layer.losses) == 3


def test_conv_models_save_and_load(tmp_path, rng):
    import json

    from baro.keras.models import load_model
    from baro.layers.convolutional.conv2d_transpose import Conv2DTranspose
    from baro.layers.convolutional.separable_conv2d import SeparableConv2D

    model = Sequential([
        Input(shape=(8, 8, 2)),
        Conv2D(4, 3, padding="same", activation="relu"),
        SeparableConv2D(4, 3, depth_multiplier=2),
        MaxPooling2D(),
        Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1),
    ])
    config = json.loads(json.dumps(model.layers[-1].get_config()))
    assert Conv2DTranspose.from_config(config).output_padding == (1, 1)
    x = rng.standard_normal((2, 8, 8, 2)).astype(np.float32)
    path = tmp_path / "convnet.baro"
    model.save(path)
    restored = load_model(path)
    assert [type(layer).__name__ for layer in restored.layers] == \
        ["Conv2D", "SeparableConv2D", "MaxPooling2D", "Conv2DTranspose"]
    assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0),
                    rtol=1e-6, atol=1e-6)
