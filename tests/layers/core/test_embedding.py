"""Embedding: lookup, gradients, mask_zero, Keras arguments."""

import warnings

import numpy as np
import pytest

import baro
from baro.keras import Input, Sequential
from baro.layers.core.embedding import Embedding
from baro.testing import assert_allclose, run_layer_test


def test_standard_checks_and_keras_weight():
    layer = run_layer_test(Embedding, {"input_dim": 7, "output_dim": 3},
                           input_shape=(2, 4), input_int_high=7,
                           expected_output_shape=(2, 4, 3),
                           expected_num_trainable_weights=1, expected_num_params=21)
    assert layer.weights[0].shape == (7, 3) and layer.weights[0].name == "embeddings"
    table = layer.weights[0].numpy()
    assert np.abs(table).max() <= 0.05  # "uniform": U[-0.05, 0.05]


def test_lookup_and_repeated_indices_accumulate_gradients():
    layer = Embedding(5, 2, weights=np.arange(10, dtype=np.float32).reshape(5, 2))
    ids = np.array([[1, 3, 1]])
    with baro.GradientTape() as tape:
        y = layer(ids)
        loss = baro.reduce_sum(y)
    assert_allclose(y, [[[2, 3], [6, 7], [2, 3]]])
    grad = tape.gradient(loss, layer.embeddings).numpy()
    assert_allclose(grad, [[0, 0], [2, 2], [0, 0], [1, 1], [0, 0]])


def test_mask_zero_emits_the_padding_mask():
    layer = Embedding(10, 4, mask_zero=True)
    y = layer(np.array([[4, 0, 2], [0, 0, 1]]))
    assert y._keras_mask.numpy().tolist() == [[True, False, True],
                                              [False, False, True]]
    assert getattr(Embedding(10, 4)(np.array([[0, 1]])), "_keras_mask", None) is None
    assert layer.compute_mask(np.array([[0, 3]])).numpy().tolist() == [[False, True]]


def test_float_indices_are_cast_and_layer_sits_in_a_model():
    model = Sequential([Input(shape=(3,)), Embedding(6, 2)])
    y = model(np.array([[0.0, 5.0, 2.0]], np.float32))
    assert y.shape == (1, 3, 2) and y.dtype == np.float32
    assert model.layers[0].compute_output_shape((None, 3)) == (None, 3, 2)


def test_legacy_input_length_is_accepted_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = Embedding(5, 2, input_length=3)
    assert any("input_length" in str(w.message) for w in caught)
    assert "input_length" not in layer.get_config()


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 5\).*7"):
        Embedding(5, 2)(np.array([[1, 7]]))
    with pytest.raises(ValueError, match=r"received values from -1"):
        Embedding(5, 2)(np.array([[-1, 2]]))
