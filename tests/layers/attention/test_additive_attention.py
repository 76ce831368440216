"""AdditiveAttention (Bahdanau-style): Keras's examples, NumPy reference, masks."""

import numpy as np
import pytest

from baro.layers.attention.additive_attention import AdditiveAttention
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test


def _reference(q, v, k, scale, v_mask=None, causal=False):
    scores = (scale * np.tanh(q[:, :, None] + k[:, None])).sum(-1)
    mask = np.ones(scores.shape, bool)
    if v_mask is not None:
        mask &= v_mask[:, None, :]
    if causal:
        mask &= np.tri(scores.shape[1], scores.shape[2], dtype=bool)
    scores = scores - 1e9 * ~mask
    e = np.exp(scores - scores.max(-1, keepdims=True))
    weights = e / e.sum(-1, keepdims=True)
    return weights @ v, weights


def test_layer_contract():
    layer = run_layer_test(AdditiveAttention, {"use_scale": True, "dropout": 0.5},
                           input_shape=[(2, 3, 4), (2, 4, 4)],
                           expected_output_shape=(2, 3, 4),
                           expected_num_trainable_weights=1,
                           expected_num_non_trainable_weights=0,
                           expected_num_params=4)
    assert layer.scale.shape == (4,)
    assert "score_mode" not in layer.get_config()
    run_layer_test(AdditiveAttention, {"use_scale": False, "dropout": 0.5},
                   input_shape=[(2, 3, 4), (2, 4, 3), (2, 4, 4)],
                   expected_output_shape=(2, 3, 3), expected_num_trainable_weights=0,
                   expected_num_params=0)


def test_keras_correctness_and_mask_examples():
    query = np.array([[[1.0, 0.0], [0.0, 1.0]]], np.float32)
    key = np.array([[[0.0, 1.0], [1.0, 0.0]]], np.float32)
    value = np.array([[[1.0, 2.0], [3.0, 4.0]]], np.float32)
    out, scores = AdditiveAttention(use_scale=False)([query, value, key],
                                                     return_attention_scores=True)
    assert_allclose(out, [[[1.727, 2.727], [2.272, 3.272]]], atol=1e-3)
    assert_allclose(scores, [[[0.636, 0.363], [0.363, 0.636]]], atol=1e-3)
    out, scores = AdditiveAttention(use_scale=False)(
        [query, np.ones((1, 2, 2), np.float32)],
        mask=[np.array([[True, False]]), np.array([[True, False]])],
        return_attention_scores=True)
    assert_allclose(out, [[[1.0, 1.0], [0.0, 0.0]]])
    assert_allclose(scores, [[[1.0, 0.0], [1.0, 0.0]]])


def test_forward_matches_numpy_reference(rng):
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 5, 2)).astype(np.float32)
    k = rng.standard_normal((2, 5, 4)).astype(np.float32)
    v_mask = np.array([[1, 0, 1, 1, 0], [1, 1, 1, 1, 1]], bool)
    layer = AdditiveAttention()
    layer([q, v, k])
    scale = layer.get_weights()[0]
    for causal in (False, True):
        out, weights = layer([q, v, k], mask=[None, v_mask], use_causal_mask=causal,
                             return_attention_scores=True)
        ref_out, ref_weights = _reference(q, v, k, scale, v_mask, causal)
        assert_allclose(out, ref_out, rtol=1e-5, atol=1e-6)
        assert_allclose(weights, ref_weights, rtol=1e-5, atol=1e-6)
        assert (weights.numpy()[0, :, [1, 4]] == 0).all()


def test_gradients_by_finite_differences(rng):
    q, v, k = (rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 3), (2, 5, 4)])
    layer = AdditiveAttention(dtype="float64")
    layer([q, v, k])
    check_layer_gradients(layer, [q, v, k])


def test_errors_name_the_layer():
    tensor = np.ones((1, 2, 2), np.float32)
    with pytest.raises(ValueError, match="AdditiveAttention layer must be called"):
        AdditiveAttention()(tensor)
    with pytest.raises(ValueError, match="length 2 or 3"):
        AdditiveAttention()([tensor, tensor], mask=[tensor])
