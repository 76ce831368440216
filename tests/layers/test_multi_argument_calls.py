"""Layers called with several tensor arguments, eagerly and in functional graphs."""

import numpy as np

from baro import ops
from baro.keras import Input, Model, layers
from baro.testing import assert_allclose


class Mix(layers.Layer):
    """y = query @ w + mean(value) (two tensors, built from both shapes)."""

    def build(self, query_shape, value_shape=None):
        self.seen = (tuple(query_shape), tuple(value_shape))
        self.w = self.add_weight(shape=(query_shape[-1], value_shape[-1]),
                                 initializer="ones", name="w")

    def call(self, query, value, scale=1.0):
        return (query @ self.w + ops.mean(value, axis=1, keepdims=True)) * scale


def test_eager_call_builds_from_both_shapes():
    layer = Mix()
    y = layer(np.ones((2, 3, 4)), np.ones((2, 5, 6)), scale=2.0)
    assert layer.seen == ((2, 3, 4), (2, 5, 6))
    assert y.shape == (2, 3, 6)
    assert_allclose(y, np.full((2, 3, 6), 10.0))


def test_functional_graph_with_two_symbolic_arguments():
    q = Input(shape=(3, 4))
    v = Input(shape=(5, 6))
    out = Mix()(q, v, scale=0.5)
    assert out.shape == (None, 3, 6)
    model = Model([q, v], out)
    y = model([np.ones((2, 3, 4)), np.ones((2, 5, 6))])
    assert_allclose(y, np.full((2, 3, 6), 2.5))
    clone = Model.from_config(model.get_config(), custom_objects={"Mix": Mix})
    clone.set_weights(model.get_weights())
    assert_allclose(clone([np.ones((2, 3, 4)), np.ones((2, 5, 6))]), y)
