"""The Layer base: build/call lifecycle, weights, freezing, losses, config, names."""

import numpy as np
import pytest

import baro
from baro.keras import layers
from baro.testing import assert_allclose
from baro.utils.naming import reset_names


class Scale(layers.Layer):
    """A minimal custom layer: y = x * w (one weight per feature)."""

    def __init__(self, regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.regularizer = regularizer

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                 regularizer=self.regularizer, name="w")
        self.frozen = self.add_weight(shape=(), initializer="zeros",
                                      trainable=False, name="count")

    def call(self, inputs, training=None):
        if training:
            self.frozen.assign_add(1.0)
        return inputs * self.w


def test_names_are_unique_per_class():
    reset_names()
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert Scale().name == "scale"
    assert layers.Dense(1, name="custom").name == "custom"


def test_build_happens_on_first_call_with_input_shape():
    layer = Scale()
    assert not layer.built
    y = layer(np.ones((2, 3), np.float32))
    assert layer.built
    assert y.shape == (2, 3)
    assert layer.input_shape == (2, 3)
    assert layer.w.path == f"{layer.name}/w"


def test_weights_trainable_and_non_trainable():
    layer = Scale()
    layer(np.ones((1, 4)))
    assert [w.name for w in layer.weights] == ["w", "count"]
    assert layer.trainable_weights == [layer.w]
    assert layer.non_trainable_weights == [layer.frozen]
    assert layer.count_params() == 5
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2
    assert not layer.w.requires_grad


def test_get_and_set_weights_round_trip_and_errors():
    layer = Scale()
    layer(np.ones((1, 2)))
    layer.set_weights([np.array([2.0, 3.0]), np.array(7.0)])
    got = layer.get_weights()
    assert_allclose(got[0], [2.0, 3.0])
    got[0][0] = 100.0  # copies: the layer is unchanged
    assert_allclose(layer.w, [2.0, 3.0])
    with pytest.raises(ValueError, match="expects 2 weight arrays"):
        layer.set_weights([np.ones(2)])
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        layer.set_weights([np.ones(3), np.array(0.0)])


def test_count_params_before_build_is_an_error():
    with pytest.raises(ValueError, match="not built"):
        layers.Dense(3).count_params()


def test_training_flag_reaches_nested_layers():
    inner = Scale()

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def call(self, inputs):
            return self.inner(inputs)

    outer = Outer()
    outer(np.ones((1, 2)), training=True)
    assert float(inner.frozen) == 1.0
    outer(np.ones((1, 2)))
    assert float(inner.frozen) == 1.0
    assert outer.weights == inner.weights  # sub-layer tracked as attribute


def test_regularization_losses_and_activity_regularizer():
    layer = Scale(regularizer=baro.keras.regularizers.L2(0.5))
    layer(np.ones((1, 2)))
    (penalty,) = layer.losses
    assert_allclose(penalty, 0.5 * 2.0)  # l2 * sum(w**2), w = ones
    dense = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l1")
    dense(np.ones((3, 2)))
    assert_allclose(dense.losses[0], 0.01 * 3 * 2 * 2.0)


def test_unknown_kwargs_are_rejected():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.Dense(3, units_typo=4)


def test_layers_accept_lists_arrays_and_tensors():
    layer = layers.Dense(2, kernel_initializer="ones")
    a = layer([[1.0, 2.0]])
    b = layer(np.array([[1.0, 2.0]]))
    c = layer(baro.constant([[1.0, 2.0]]))
    for y in (a, b, c):
        assert y.dtype == "float32"
        assert_allclose(y, [[3.0, 3.0]])


def test_float64_input_is_autocast_to_layer_dtype():
    layer = layers.Dense(1)
    assert layer(np.ones((1, 3), np.float64)).dtype == "float32"


def test_config_round_trip():
    dense = layers.Dense(5, activation="relu", use_bias=False, name="d5",
                         kernel_regularizer="l2")
    clone = layers.Dense.from_config(dense.get_config())
    assert clone.get_config() == dense.get_config()
    assert clone.units == 5 and clone.use_bias is False


def test_add_weight_accepts_tf2_styles():
    class Legacy(layers.Layer):
        def build(self, input_shape):
            self.k = self.add_weight(name="k", shape=(input_shape[-1], 2),
                                     initializer="random_normal", trainable=True)
            self.b = self.add_weight("b", (2,))  # name first, as tf.keras allowed

        def call(self, x):
            return x @ self.k + self.b

    layer = Legacy()
    assert layer(np.ones((1, 3))).shape == (1, 2)
    assert [w.name for w in layer.weights] == ["k", "b"]
