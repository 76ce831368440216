"""Attention (Luong-style): Keras's examples, NumPy reference, masks, errors."""

import numpy as np
import pytest

import baro
from baro.keras import Input, Model
from baro.layers.attention.attention import Attention
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test

QUERY = np.array([[[1.0, 0.0], [0.0, 1.0]]], np.float32)
KEY = np.array([[[0.0, 1.0], [1.0, 0.0]]], np.float32)
VALUE = np.array([[[1.0, 2.0], [3.0, 4.0]]], np.float32)


def _reference(q, v, k=None, scale=1.0, mode="dot", weight=1.0, q_mask=None,
               v_mask=None, causal=False):
    """Keras's formula: scores - 1e9 * (1 - mask), softmax, weighted values."""
    k = v if k is None else k
    if mode == "dot":
        scores = scale * q @ np.swapaxes(k, 1, 2)
    else:
        scores = weight * np.tanh(scale * (q[:, :, None] + k[:, None])).sum(-1)
    mask = np.ones(scores.shape, bool)
    if v_mask is not None:
        mask &= v_mask[:, None, :]
    if causal:
        mask &= np.tri(scores.shape[1], scores.shape[2], dtype=bool)
    scores = scores - 1e9 * ~mask
    e = np.exp(scores - scores.max(-1, keepdims=True))
    weights = e / e.sum(-1, keepdims=True)
    out = weights @ v
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, weights


def test_layer_contract():
    run_layer_test(Attention, {"score_mode": "dot", "dropout": 0.5},
                   input_shape=[(2, 3, 4), (2, 4, 4)], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, expected_num_params=0)
    run_layer_test(Attention, {"use_scale": True, "score_mode": "concat",
                               "dropout": 0.5},
                   input_shape=[(2, 3, 4), (2, 4, 5), (2, 4, 4)],
                   expected_output_shape=(2, 3, 5), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, expected_num_params=2)
    run_layer_test(Attention, {"use_scale": True},
                   input_shape=[(2, 3, 4), (2, 4, 4)], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1, expected_num_params=1)


def test_keras_correctness_examples():
    out, scores = Attention()([QUERY, VALUE, KEY], return_attention_scores=True)
    assert_allclose(out, [[[2.462, 3.462], [1.538, 2.538]]], atol=1e-3)
    assert_allclose(scores, [[[0.269, 0.731], [0.731, 0.269]]], atol=1e-3)
    out, scores = Attention(score_mode="concat")([QUERY, VALUE, KEY],
                                                 return_attention_scores=True)
    assert_allclose(out, [[[1.727, 2.727], [2.272, 3.272]]], atol=1e-3)
    assert_allclose(scores, [[[0.636, 0.363], [0.363, 0.636]]], atol=1e-3)


@pytest.mark.parametrize("mode", ["dot", "concat"])
def test_forward_matches_numpy_reference(rng, mode):
    q = rng.standard_normal((3, 4, 5)).astype(np.float32)
    v = rng.standard_normal((3, 6, 2)).astype(np.float32)
    k = rng.standard_normal((3, 6, 5)).astype(np.float32)
    q_mask = rng.random((3, 4)) > 0.3
    v_mask = rng.random((3, 6)) > 0.3
    v_mask[:, 0] = True
    layer = Attention(use_scale=True, score_mode=mode)
    layer([q, v, k])
    layer.set_weights([np.float32(0.7)] + ([np.float32(1.3)] if mode == "concat"
                                            else []))
    for causal in (False, True):
        out, weights = layer([q, v, k], mask=[q_mask, v_mask],
                             use_causal_mask=causal, return_attention_scores=True)
        ref_out, ref_weights = _reference(q, v, k, 0.7, mode, 1.3, q_mask, v_mask,
                                          causal)
        assert out.dtype == np.float32
        assert_allclose(out, ref_out, rtol=1e-5, atol=1e-6)
        assert_allclose(weights, ref_weights, rtol=1e-5, atol=1e-6)
        masked = ~v_mask[:, None, :] | (~np.tri(4, 6, dtype=bool) if causal else False)
        assert (weights.numpy()[np.broadcast_to(masked, weights.shape)] == 0).all()
        assert_allclose(weights.numpy().sum(-1), np.ones((3, 4)), rtol=1e-6)


def test_keras_mask_example_and_mask_propagation():
    query = np.array([[[1.0, 0.0], [0.0, 1.0]]], np.float32)
    value = np.ones((1, 2, 2), np.float32)
    masks = [np.array([[True, False]]), np.array([[True, False]])]
    out, scores = Attention()([query, value], mask=masks,
                              return_attention_scores=True)
    assert_allclose(out, [[[1.0, 1.0], [0.0, 0.0]]])
    assert_allclose(scores, [[[1.0, 0.0], [1.0, 0.0]]])
    # Masks carried by the inputs are used, and the query's is passed on.
    q, v = baro.Tensor(query), baro.Tensor(value)
    q._keras_mask = baro.ops.convert_to_tensor(masks[0])
    v._keras_mask = baro.ops.convert_to_tensor(masks[1])
    out = Attention()([q, v])
    assert_allclose(out, [[[1.0, 1.0], [0.0, 0.0]]])
    assert_allclose(out._keras_mask, masks[0])


def test_value_mask_with_several_batch_rows(rng):
    # The value mask (B, Tv) masks keys per sample (as (B, 1, Tv)).
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 5, 4)).astype(np.float32)
    v_mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]], bool)
    _, weights = Attention()([q, v], mask=[None, v_mask], return_attention_scores=True)
    assert (weights.numpy()[0, :, 2:] == 0).all()
    assert (weights.numpy()[1, :, 4] == 0).all()
    assert_allclose(weights, _reference(q, v, v_mask=v_mask)[1], rtol=1e-5, atol=1e-6)


def test_gradients_by_finite_differences(rng):
    q, v, k = (rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 3), (2, 5, 4)])
    for kwargs in ({"use_scale": True}, {"use_scale": True, "score_mode": "concat"}):
        layer = Attention(dtype="float64", **kwargs)
        layer([q, v, k])
        check_layer_gradients(layer, [q, v, k])


def test_dropout_only_in_training():
    query = np.array([[[1.0, 0.0], [0.0, 1.0]]], np.float32)
    value = np.ones((1, 2, 2), np.float32)
    layer = Attention(dropout=0.5, seed=0)
    out, scores = layer([query, value], return_attention_scores=True)
    assert_allclose(scores, np.full((1, 2, 2), 0.5))
    outs = [layer([query, value], training=True).numpy() for _ in range(4)]
    assert any(not np.allclose(o, out.numpy()) for o in outs)
    assert set(np.unique(layer([query, value], training=True,
                               return_attention_scores=True)[1].numpy())) <= {0, 1}


def test_functional_model_with_scores_output(rng):
    q, v = Input(shape=(3, 4)), Input(shape=(None, 4))
    out, scores = Attention(use_scale=True)([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, None)
    model = Model([q, v], [out, scores])
    data = [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 6, 4))]
    result = model(data)
    assert [r.shape for r in result] == [(2, 3, 4), (2, 3, 6)]
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    for a, b in zip(clone(data), result, strict=True):
        assert_allclose(a, b)


def test_bad_arguments_and_inputs_raise_clear_errors():
    tensor = np.ones((1, 2, 2), np.float32)
    layer = Attention()
    with pytest.raises(ValueError, match="must be called on a list"):
        layer(tensor)
    with pytest.raises(ValueError, match="length 2 or 3"):
        layer([tensor, tensor, tensor, tensor])
    with pytest.raises(ValueError, match="layer mask must be a list"):
        layer([tensor, tensor], mask=np.ones((1, 2), bool))
    with pytest.raises(ValueError, match="length 2 or 3"):
        layer([tensor, tensor], mask=[np.ones((1, 2), bool)])
    with pytest.raises(ValueError, match=r"\[\(1, 2, 2\), \(1, 2, 2\), \(1, 3, 2\)\]"):
        layer([tensor, tensor, np.ones((1, 3, 2), np.float32)])
    with pytest.raises(ValueError, match="Expected one of {'dot', 'concat'}"):
        Attention(score_mode="invalid_mode")
    with pytest.raises(ValueError, match="dropout"):
        Attention(dropout=-0.1)
