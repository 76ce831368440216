"""BatchNormalization: Keras counts, batch vs moving statistics, gradients,
freezing, masks, layouts."""

import numpy as np
import pytest

from baro.layers.core.dense import Dense
from baro.layers.normalization.batch_normalization import BatchNormalization
from baro.models.sequential import Sequential
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test


def _reference(x, axis, gamma, beta, eps):
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return y * gamma.reshape(shape) + beta.reshape(shape), mean, var


@pytest.mark.parametrize("kwargs, shape, trainable, params", [
    ({}, (2, 3), 2, 12),  # after Dense: gamma, beta, moving_mean, moving_variance
    ({"center": False, "scale": False}, (2, 3), 0, 6),
    ({"beta_regularizer": "l2", "gamma_regularizer": "l2"}, (2, 4, 4, 3), 2, 12),
    ({"axis": 1}, (2, 3, 4, 4), 2, 12),  # channels_first conv output
])
def test_keras_counts_and_harness(kwargs, shape, trainable, params):
    layer = run_layer_test(
        BatchNormalization, kwargs, input_shape=shape, expected_output_shape=shape,
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=2, expected_num_params=params)
    names = [w.name for w in layer.weights]
    expected = ["gamma", "beta", "moving_mean", "moving_variance"]
    assert names == [n for n in expected if n in names]


def test_regularizers_add_two_losses():
    layer = BatchNormalization(beta_regularizer="l2", gamma_regularizer="l2")
    layer(np.ones((2, 4, 4, 3), np.float32))
    assert len(layer.losses) == 2


@pytest.mark.parametrize("axis, shape", [(-1, (6, 3)), (-1, (4, 3, 3, 2)),
                                         (1, (4, 2, 3, 3)), (1, (5, 2, 3))])
def test_training_uses_batch_statistics_and_updates_moving_ones(rng, axis, shape):
    x = (rng.standard_normal(shape) * 3 + 5).astype(np.float32)
    layer = BatchNormalization(axis=axis, momentum=0.9,
                               gamma_initializer="random_normal",
                               beta_initializer="random_normal")
    y = layer(x, training=True)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    ref, mean, var = _reference(x.astype(np.float64), axis, gamma, beta, 1e-3)
    assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    assert_allclose(layer.moving_mean, 0.9 * 0 + 0.1 * mean, rtol=1e-5)
    assert_allclose(layer.moving_variance, 0.9 * 1 + 0.1 * var, rtol=1e-5)
    assert layer.moving_mean.dtype == np.float32


def test_inference_uses_moving_statistics(rng):
    x = rng.standard_normal((5, 3)).astype(np.float32)
    layer = BatchNormalization(momentum=0.0)
    before = layer(x).numpy()  # training None: moving stats (0, 1)
    assert_allclose(before, x / np.sqrt(1 + 1e-3), rtol=1e-6)
    train = layer(x, training=True)  # momentum 0: moving = this batch's
    assert_allclose(layer(x, training=False), train, rtol=1e-4, atol=1e-5)
    assert not np.allclose(train.numpy(), before)


def test_matches_torch_in_training_and_inference(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    layer = BatchNormalization(axis=1, momentum=0.8, epsilon=1e-5,
                               gamma_initializer="random_normal",
                               beta_initializer="random_normal")
    y = layer(x, training=True).numpy()
    weight = torch.tensor(layer.gamma.numpy())
    bias = torch.tensor(layer.beta.numpy())
    yt = torch.nn.functional.batch_norm(torch.tensor(x), None, None, weight, bias,
                                        training=True, eps=1e-5)
    assert_allclose(y, yt.numpy(), rtol=1e-4, atol=1e-5)
    # torch's running variance is unbiased; Keras's moving variance is not.
    mean = torch.tensor(layer.moving_mean.numpy())
    var = torch.tensor(layer.moving_variance.numpy())
    yt = torch.nn.functional.batch_norm(torch.tensor(x), mean, var, weight, bias,
                                        training=False, eps=1e-5)
    assert_allclose(layer(x, training=False), yt.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("axis, shape", [(-1, (5, 3)), (-1, (3, 2, 2, 3)),
                                         (1, (3, 2, 3, 2))])
def test_training_gradient_flows_through_batch_statistics(rng, axis, shape):
    x = rng.standard_normal(shape)
    layer = BatchNormalization(axis=axis, dtype="float64",
                               gamma_initializer="random_normal",
                               beta_initializer="random_normal")
    layer(x)
    check_layer_gradients(layer, x, training=True)


def test_frozen_layer_runs_in_inference_mode(rng):
    x = (rng.standard_normal((50, 4, 4, 3)) * 10 + 5).astype(np.float32)
    layer = BatchNormalization(momentum=0.8, epsilon=1e-7)
    layer.build((1, 4, 4, 3))
    layer.trainable = False
    assert len(layer.weights) == 4 and not layer.trainable_weights
    assert len(layer.non_trainable_weights) == 4
    assert_allclose(layer(x, training=True), x, rtol=1e-6, atol=1e-5)
    assert_allclose(layer.moving_mean, np.zeros(3))
    layer.trainable = True
    assert len(layer.trainable_weights) == 2
    for _ in range(10):
        out = layer(x, training=True).numpy()
    assert_allclose(out.mean(axis=(0, 1, 2)), np.zeros(3), atol=1e-3)
    assert_allclose(out.std(axis=(0, 1, 2)), np.ones(3), atol=1e-3)


def test_fit_updates_moving_statistics(rng):
    x = (rng.standard_normal((32, 4)) + 3).astype(np.float32)
    y = rng.standard_normal((32, 2)).astype(np.float32)
    model = Sequential([Dense(2, input_dim=4), BatchNormalization()])
    model.compile("sgd", "mse")
    bn = model.layers[-1]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(bn.moving_mean.numpy(), 0.0)
    moving = bn.moving_mean.numpy().copy()
    model.predict(x, verbose=0)
    assert_allclose(bn.moving_mean, moving)  # inference leaves them alone


def test_mask_leaves_padding_out_of_the_statistics():
    # Keras's test: padded steps hold mask_value; the statistics see only
    # [1, 5] and [2, 5].
    x = np.array([[[1, 5], [2, 5], [9, 9], [9, 9]]] * 10, np.float32)
    mask = np.array([[True, True, False, False]] * 10)
    layer = BatchNormalization(momentum=0.0)
    y = layer(x, training=True, mask=mask)
    assert_allclose(layer.moving_mean, [1.5, 5.0], rtol=1e-6)
    assert_allclose(layer.moving_variance, [0.25, 0.0], atol=1e-6)
    assert_allclose(y.numpy()[:, :2, 0], np.tile([-1.0, 1.0], (10, 1)) *
                    0.5 / np.sqrt(0.25 + 1e-3), rtol=1e-5)
    assert y._keras_mask is not None  # the mask passes through


def test_fully_masked_batch_gives_zeros():
    layer = BatchNormalization(scale=False, center=False)
    y = layer(np.zeros((4, 5)), mask=np.zeros((4,), bool), training=True)
    assert_allclose(y, np.zeros((4, 5)))
    assert np.isfinite(layer.moving_variance.numpy()).all()


def test_masked_training_gradient_is_right(rng):
    x = rng.standard_normal((3, 4, 2))
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]], bool)
    layer = BatchNormalization(dtype="float64", gamma_initializer="random_normal")
    layer(x)

    class Masked:
        trainable_weights = layer.trainable_weights

        def __call__(self, t, training=None):
            return layer(t, training=training, mask=mask)

    check_layer_gradients(Masked(), x, training=True)


def test_bad_arguments_and_inputs():
    with pytest.raises(TypeError, match="one int"):
        BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match="`momentum` must be in"):
        BatchNormalization(momentum=1.5)
    BatchNormalization(momentum=0.0)
    BatchNormalization(momentum=1.0)
    with pytest.raises(ValueError, match="synchronized"):
        BatchNormalization(synchronized=True)
    layer = BatchNormalization()
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"3 features.*\(2, 4\)"):
        layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match="one dimension less"):
        layer(np.ones((2, 3)), mask=np.ones((2, 3), bool), training=True)
    with pytest.raises(ValueError, match="out of range"):
        BatchNormalization(axis=3)(np.ones((2, 3)))


def test_saved_model_keeps_moving_statistics(rng, tmp_path):
    from baro.saving.saving_api import load_model

    x = (rng.standard_normal((16, 4)) + 2).astype(np.float32)
    model = Sequential([Dense(3, input_dim=4), BatchNormalization(momentum=0.5)])
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((16, 3), np.float32), epochs=1, batch_size=8, verbose=0)
    path = tmp_path / "bn.baro"
    model.save(path)
    loaded = load_model(path)
    assert_allclose(loaded.layers[-1].moving_mean, model.layers[-1].moving_mean)
    assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                    rtol=1e-6)
