"""GaussianNoise, GaussianDropout, ActivityRegularization."""

import math

import numpy as np
import pytest

from baro.core.tensor import Tensor
from baro.layers.core.dense import Dense
from baro.layers.regularization.activity_regularization import (
    ActivityRegularization,
)
from baro.layers.regularization.gaussian_dropout import GaussianDropout
from baro.layers.regularization.gaussian_noise import GaussianNoise
from baro.models.sequential import Sequential
from baro.testing import analytic_grad, assert_allclose, run_layer_test


@pytest.mark.parametrize("cls, kwargs", [(GaussianNoise, {"stddev": 0.5}),
                                         (GaussianDropout, {"rate": 0.3})])
def test_harness_and_inference_identity(rng, cls, kwargs):
    run_layer_test(cls, kwargs, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_params=0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    assert_allclose(cls(**kwargs)(x), x)
    assert_allclose(cls(**kwargs)(x, training=False), x)


def test_gaussian_noise_statistics_and_gradient():
    x = np.full((200, 100), 2.0, np.float32)
    y = GaussianNoise(0.5, seed=1)(x, training=True).numpy()
    assert y.dtype == np.float32
    assert abs(y.mean() - 2.0) < 0.01 and abs(y.std() - 0.5) < 0.01
    layer = GaussianNoise(0.5, dtype="float64")
    grad = analytic_grad(lambda t: layer(t, training=True), x)
    assert_allclose(grad, np.ones_like(grad))


def test_gaussian_dropout_statistics_and_gradient():
    x = np.full((200, 100), 3.0, np.float32)
    y = GaussianDropout(0.5, seed=1)(x, training=True).numpy()
    # Standard errors: 3 / sqrt(20000) ~ 0.02 for the mean, ~0.015 for the std.
    assert abs(y.mean() - 3.0) < 0.1
    assert abs(y.std() - 3.0 * math.sqrt(0.5 / 0.5)) < 0.08
    layer = GaussianDropout(0.2, seed=2, dtype="float64")
    noise = layer(np.ones((3, 4)), training=True).numpy()
    layer = GaussianDropout(0.2, seed=2, dtype="float64")
    grad = analytic_grad(lambda t: layer(t, training=True), np.ones((3, 4)))
    assert_allclose(grad, noise)  # d(x * n)/dx = n


def test_seeded_layers_repeat_their_sequence():
    a = GaussianNoise(0.3, seed=7)(np.zeros((2, 3)), training=True).numpy()
    b = GaussianNoise(0.3, seed=7)(np.zeros((2, 3)), training=True).numpy()
    assert_allclose(a, b)


def test_noise_argument_errors():
    with pytest.raises(ValueError, match=r"stddev must be a float in \[0, 1\]"):
        GaussianNoise(1.5)
    with pytest.raises(ValueError, match=r"rate must be a float in \[0, 1\)"):
        GaussianDropout(1.0)
    with pytest.raises(ValueError, match="rate"):
        GaussianDropout(-0.1)


def test_activity_regularization_adds_penalty(rng):
    run_layer_test(ActivityRegularization, {"l1": 0.1, "l2": 0.2},
                   input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_params=0)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    y = layer(x)
    assert_allclose(y, x)
    (loss,) = layer.losses
    assert isinstance(loss, Tensor)
    expected = 0.1 * np.abs(x).sum() + 0.2 * (x**2).sum()
    assert_allclose(loss, expected, rtol=1e-5)
    layer(x)
    assert len(layer.losses) == 1  # replaced on each outermost call
    config = layer.get_config()
    assert config["l1"] == 0.1 and "activity_regularizer" not in config
    assert ActivityRegularization.from_config(config).l2 == 0.2


def test_activity_regularization_shrinks_activations_in_fit(rng):
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = np.zeros((32, 3), np.float32)
    model = Sequential([Dense(3, input_dim=4, kernel_initializer="ones"),
                        ActivityRegularization(l2=1.0)])
    model.compile("sgd", "mse")
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[0] > 1.0  # the penalty (sum over the batch) dominates mse
    assert losses[-1] < losses[0]
