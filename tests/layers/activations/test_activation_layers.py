"""ReLU, LeakyReLU, PReLU, ELU and Softmax layers."""

import numpy as np
import pytest

from baro.core.tensor import Tensor
from baro.layers.activations.elu import ELU
from baro.layers.activations.leaky_relu import LeakyReLU
from baro.layers.activations.prelu import PReLU
from baro.layers.activations.relu import ReLU
from baro.layers.activations.softmax import Softmax
from baro.layers.core.input_layer import Input
from baro.testing import assert_allclose, run_layer_test

X = np.array([-10.0, -5.0, -0.5, 0.0, 0.5, 5.0, 10.0])


def _relu_ref(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = np.where(x > threshold, x, negative_slope * (x - threshold))
    return y if max_value is None else np.minimum(y, max_value)


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 6.0}, {"negative_slope": 0.5}, {"threshold": 1.0},
    {"max_value": 10.0, "negative_slope": 0.5, "threshold": 1.0},
])
def test_relu_matches_keras_formula(kwargs):
    # The harness's random inputs avoid the kinks, so finite differences apply.
    run_layer_test(ReLU, kwargs, input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_params=0)
    assert_allclose(ReLU(**kwargs)(X), _relu_ref(X, **kwargs), rtol=1e-6)


def test_relu_keras_example_and_errors():
    layer = ReLU(max_value=10, negative_slope=0.5, threshold=0)
    assert_allclose(layer(np.array([-10, -5, 0.0, 5, 10])), [-5, -2.5, 0, 5, 10])
    with pytest.raises(ValueError, match="max_value cannot be negative"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope must be a float >= 0"):
        ReLU(negative_slope=None)
    with pytest.raises(ValueError, match="threshold must be a float >= 0"):
        ReLU(threshold=-0.5)


def test_leaky_relu_default_and_legacy_alpha():
    run_layer_test(LeakyReLU, {}, input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_params=0)
    assert_allclose(LeakyReLU()(X), np.where(X > 0, X, 0.3 * X), rtol=1e-6)
    with pytest.warns(UserWarning, match="alpha"):
        layer = LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    assert layer.get_config()["negative_slope"] == 0.1
    with pytest.raises(ValueError, match="negative_slope"):
        LeakyReLU(negative_slope=-0.1)


@pytest.mark.parametrize("kwargs, shape, params, alpha_shape", [
    ({}, (2, 3, 4), 12, (3, 4)),
    ({"shared_axes": [1]}, (2, 3, 4), 4, (1, 4)),
    ({"shared_axes": [1, 2]}, (2, 5, 5, 3), 3, (1, 1, 3)),
    ({"shared_axes": 2, "alpha_initializer": "ones"}, (2, 3, 4), 3, (3, 1)),
])
def test_prelu_counts(kwargs, shape, params, alpha_shape):
    layer = run_layer_test(PReLU, kwargs, input_shape=shape,
                           expected_output_shape=shape,
                           expected_num_trainable_weights=1,
                           expected_num_params=params)
    assert layer.alpha.shape == alpha_shape and layer.alpha.name == "alpha"


def test_prelu_matches_numpy_and_torch(rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    layer = PReLU(alpha_initializer="random_uniform", shared_axes=[1])
    y = layer(x)
    alpha = layer.alpha.numpy()
    assert_allclose(y, np.where(x >= 0, x, alpha * x), rtol=1e-6)
    assert_allclose(PReLU()(x), np.maximum(x, 0))  # zeros: starts as ReLU
    torch = pytest.importorskip("torch", exc_type=ImportError)
    # torch's PReLU shares over all but the channel axis 1: channels_first here.
    xc = np.moveaxis(x, 2, 1)
    layer = PReLU(alpha_initializer="random_uniform", shared_axes=[2])
    layer.build(xc.shape)
    weight = torch.tensor(layer.alpha.numpy().ravel())
    ref = torch.nn.functional.prelu(torch.tensor(xc), weight)
    assert_allclose(layer(xc), ref.numpy(), rtol=1e-6)


def test_prelu_errors():
    with pytest.raises(ValueError, match="shared_axes"):
        PReLU(shared_axes=[0])(np.ones((2, 3)))
    with pytest.raises(ValueError, match="known size"):
        PReLU()(Input(shape=(None, 3)))
    assert PReLU(shared_axes=[1])(Input(shape=(None, 3))).shape == (None, None, 3)


def test_elu(rng):
    run_layer_test(ELU, {"alpha": 0.5}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_params=0)
    ref = np.where(X > 0, X, 0.5 * np.expm1(X))
    assert_allclose(ELU(0.5)(X), ref, rtol=1e-6)
    assert ELU.from_config(ELU(0.5).get_config()).alpha == 0.5


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_softmax_harness_and_reference(rng, axis):
    run_layer_test(Softmax, {"axis": axis}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_params=0)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    axes = tuple(axis) if isinstance(axis, list) else axis
    e = np.exp(x - x.max(axis=axes, keepdims=True))
    assert_allclose(Softmax(axis)(x), e / e.sum(axis=axes, keepdims=True),
                    rtol=1e-5)


def test_softmax_mask_gives_masked_positions_no_probability(rng):
    x = rng.standard_normal((2, 3, 5)).astype(np.float32)
    mask = rng.random((2, 3, 5)) > 0.4
    mask[..., 0] = True
    y = Softmax()(x, mask=mask).numpy()
    e = np.where(mask, np.exp(x - x.max(axis=-1, keepdims=True)), 0.0)
    assert_allclose(y, e / e.sum(axis=-1, keepdims=True), rtol=1e-5, atol=1e-7)
    # A broadcast mask (an attention padding mask) and a mask carried by the
    # inputs both apply.
    key_mask = np.array([[[True, True, True, False, False]]] * 2)
    y = Softmax()(x, mask=key_mask).numpy()
    assert_allclose(y[..., 3:], np.zeros((2, 3, 2)))
    carried = Tensor(x)
    carried._keras_mask = Tensor(mask)
    assert_allclose(Softmax()(carried), Softmax()(x, mask=mask))


def test_softmax_fully_masked_row_stays_finite():
    y = Softmax()(np.array([[1.0, 2.0]]), mask=np.array([[False, False]])).numpy()
    assert np.isfinite(y).all()
    assert_allclose(y.sum(), 1.0, rtol=1e-6)


def test_softmax_mask_errors():
    with pytest.raises(ValueError, match=r"mask of shape \(2, 4\)"):
        Softmax()(np.ones((2, 3)), mask=np.ones((2, 4), bool))
    with pytest.raises(TypeError, match="axis"):
        Softmax(axis="last")
