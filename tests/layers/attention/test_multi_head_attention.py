"""MultiHeadAttention: Keras shapes and counts, NumPy and torch parity, masks."""

import numpy as np
import pytest

import baro
from baro.core.engine import gradients
from baro.keras import Input, Model
from baro.layers.attention.multi_head_attention import MultiHeadAttention
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test


class ListCalledMHA(MultiHeadAttention):
    """Takes `[query, value(, key)]` as one argument, the form run_layer_test and
    check_layer_gradients call layers with."""

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)):
            return super().__call__(*inputs, *args, **kwargs)
        return super().__call__(inputs, *args, **kwargs)


def _reference(layer, query, value, key=None, mask=None):
    """NumPy MHA from the layer's weights: einsum projections, masked softmax."""
    key = value if key is None else key
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    q = np.einsum("btd,dnh->btnh", query, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", key, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", value, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(layer.key_dim)
    if mask is not None:
        mask = np.broadcast_to(mask[:, None] if mask.ndim == 3 else mask,
                               logits.shape)
        logits = np.where(mask, logits, -np.inf)
    top = logits.max(-1, keepdims=True)
    e = np.exp(logits - np.where(np.isfinite(top), top, 0))
    total = e.sum(-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    out = np.einsum("bnts,bsnh->btnh", weights, v)
    return np.einsum("btnh,nho->bto", out, wo) + bo, weights


# Keras's counts: each of query/key/value has a kernel (dim, heads, head_dim) and
# a bias (heads, head_dim); the output a kernel (heads, value_dim, dim) and (dim,).
@pytest.mark.parametrize("kwargs, shapes, params, n_weights", [
    # 3 * (6*2*2 + 2*2) + (2*2*6 + 6) = 84 + 30
    ({"num_heads": 2, "key_dim": 2}, [(2, 5, 6), (2, 3, 6)], 114, 8),
    # 6*2*2 + 6*2*2 + 6*2*3 + 2*3*6, no biases
    ({"num_heads": 2, "key_dim": 2, "value_dim": 3, "use_bias": False,
      "dropout": 0.5}, [(2, 5, 6), (2, 3, 6)], 120, 4),
    # query 4*2*2 + 4, value 4*2*2 + 4, key 3*2*2 + 4, output 2*2*4 + 4
    ({"num_heads": 2, "key_dim": 2}, [(2, 3, 4), (2, 5, 4), (2, 5, 3)], 76, 8),
    # 3 * (4*2*2 + 4) + (2*2*4 + 4)
    ({"num_heads": 2, "key_dim": 2, "attention_axes": (2, 3)},
     [(2, 2, 3, 2, 4), (2, 2, 2, 3, 4)], 80, 8),
])
def test_layer_contract(kwargs, shapes, params, n_weights):
    run_layer_test(ListCalledMHA, kwargs, input_shape=shapes,
                   expected_output_shape=shapes[0],
                   expected_num_trainable_weights=n_weights,
                   expected_num_non_trainable_weights=0,
                   expected_num_params=params)


def test_keras_parameter_count_and_weight_layout():
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    layer(np.ones((3, 8, 16), np.float32), np.ones((3, 10, 16), np.float32))
    # Keras: 3 * (16*2*4 + 2*4) + (2*4*16 + 16) = 408 + 144.
    assert layer.count_params() == 552
    assert all(w.path.startswith(layer.name + "/") for w in layer.weights)
    assert [(w.path.split("/", 1)[1], w.shape) for w in layer.weights] == [
        ("query/kernel", (16, 2, 4)), ("query/bias", (2, 4)),
        ("key/kernel", (16, 2, 4)), ("key/bias", (2, 4)),
        ("value/kernel", (16, 2, 4)), ("value/bias", (2, 4)),
        ("attention_output/kernel", (2, 4, 16)), ("attention_output/bias", (16,))]
    kernels = [w.numpy() for w in layer.weights if w.name == "kernel"]
    assert not np.allclose(kernels[0], kernels[1])  # a fresh initializer each
    assert layer.query_dense.kernel is layer.weights[0]


def test_build_uses_query_value_and_key_shapes():
    layer = MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5,
                               output_shape=(2, 7))
    out = layer(np.ones((2, 4, 6)), np.ones((2, 3, 8)), np.ones((2, 3, 9)))
    assert out.shape == (2, 4, 2, 7)
    assert [w.shape for w in layer.weights[::2]] == [(6, 3, 2), (9, 3, 2),
                                                    (8, 3, 5), (3, 5, 2, 7)]
    assert layer.compute_output_shape((None, 4, 6), (None, 3, 8)) == (None, 4, 2, 7)


def test_forward_matches_numpy_reference(rng):
    layer = MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4)
    q = rng.standard_normal((2, 4, 5)).astype(np.float32)
    v = rng.standard_normal((2, 6, 3)).astype(np.float32)
    k = rng.standard_normal((2, 6, 7)).astype(np.float32)
    layer(q, v, k)
    layer.set_weights([rng.standard_normal(w.shape) * 0.5 for w in layer.weights])
    mask = rng.random((2, 4, 6)) > 0.3
    mask[1, 2] = False  # a query that may attend to nothing
    out, scores = layer(q, v, k, attention_mask=mask, return_attention_scores=True)
    ref_out, ref_scores = _reference(layer, q, v, k, mask)
    assert out.dtype == np.float32 and scores.shape == (2, 3, 4, 6)
    assert_allclose(out, ref_out, rtol=1e-4, atol=1e-5)
    assert_allclose(scores, ref_scores, rtol=1e-5, atol=1e-6)
    assert (scores.numpy()[1, :, 2] == 0).all()


def test_keras_identity_kernel_example():
    # Keras's test_correctness: identity projections, zero biases, 8 heads.
    key_dim = heads = 8
    query = key = np.identity(key_dim, dtype=np.float32)[None]
    value = np.arange(64, dtype=np.float32).reshape(1, 8, 8) / 100.0
    layer = MultiHeadAttention(num_heads=heads, key_dim=key_dim)
    layer(query, value, key)
    kernel = np.repeat(np.identity(key_dim)[:, None, :], heads, axis=1)
    bias = np.zeros((heads, key_dim))
    layer.set_weights([kernel, bias] * 3 + [kernel, np.zeros(key_dim)])
    out, scores = layer(query, value, key, return_attention_scores=True)
    expected = [2.406, 2.440, 2.473, 2.504, 2.535, 2.568, 2.602, 2.633]
    assert_allclose(out, np.tile(np.array(expected)[None, :, None], (1, 1, 8)),
                    atol=1e-2)
    diagonal = np.where(np.eye(8, dtype=bool), 0.1691, 0.1187)
    assert_allclose(scores, np.tile(diagonal, (1, 8, 1, 1)), atol=1e-3)


def test_matches_torch_multihead_attention(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    dim, heads = 8, 2
    layer = MultiHeadAttention(num_heads=heads, key_dim=dim // heads)
    q = rng.standard_normal((3, 4, dim)).astype(np.float32)
    v = rng.standard_normal((3, 5, dim)).astype(np.float32)
    layer(q, v)
    layer.set_weights([rng.standard_normal(w.shape) * 0.3 for w in layer.weights])
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    padding = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 0, 1]], bool)
    causal = np.tri(4, 5, dtype=bool)

    torch_mha = torch.nn.MultiheadAttention(dim, heads, batch_first=True)
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(torch.tensor(np.concatenate(
            [w.reshape(dim, dim).T for w in (wq, wk, wv)])))
        torch_mha.in_proj_bias.copy_(torch.tensor(np.concatenate(
            [b.ravel() for b in (bq, bk, bv)])))
        torch_mha.out_proj.weight.copy_(torch.tensor(wo.reshape(dim, dim).T))
        torch_mha.out_proj.bias.copy_(torch.tensor(bo))
    tq = torch.tensor(q, requires_grad=True)
    tv = torch.tensor(v, requires_grad=True)
    expected, expected_scores = torch_mha(
        tq, tv, tv, key_padding_mask=torch.tensor(~padding),
        attn_mask=torch.tensor(~causal), average_attn_weights=False)

    value = baro.Tensor(v, requires_grad=True)
    value._keras_mask = baro.ops.convert_to_tensor(padding)
    query = baro.Tensor(q, requires_grad=True)
    out, scores = layer(query, value, use_causal_mask=True,
                        return_attention_scores=True)
    assert_allclose(out, expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert_allclose(scores, expected_scores.detach().numpy(), rtol=1e-4, atol=1e-6)

    seed = rng.standard_normal(out.shape).astype(np.float32)
    grads = gradients([out], [query, value, layer.weights[0], layer.weights[6]],
                      seeds=[seed])
    (expected * torch.tensor(seed)).sum().backward()
    w_in = torch_mha.in_proj_weight.grad.numpy()
    assert_allclose(grads[0], tq.grad.numpy(), rtol=1e-4, atol=1e-5)
    assert_allclose(grads[1], tv.grad.numpy(), rtol=1e-4, atol=1e-5)
    assert_allclose(grads[2].reshape(dim, dim), w_in[:dim].T, rtol=1e-4, atol=1e-5)
    assert_allclose(grads[3].reshape(dim, dim),
                    torch_mha.out_proj.weight.grad.numpy().T, rtol=1e-4, atol=1e-5)


def test_keras_masks_equal_the_explicit_attention_mask(rng):
    layer = MultiHeadAttention(num_heads=2, key_dim=2)
    q = baro.Tensor(rng.standard_normal((3, 5, 8)).astype(np.float32))
    v = baro.Tensor(rng.standard_normal((3, 3, 8)).astype(np.float32))
    q_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    v_mask = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1]], bool)
    q._keras_mask = baro.ops.convert_to_tensor(q_mask)
    v._keras_mask = baro.ops.convert_to_tensor(v_mask)
    manual = q_mask[:, :, None] & v_mask[:, None, :]
    for causal in (False, True):
        out, scores = layer(q, v, use_causal_mask=causal,
                            return_attention_scores=True)
        expected = manual & np.tri(5, 3, dtype=bool) if causal else manual
        plain = [baro.Tensor(x.numpy()) for x in (q, v)]
        assert_allclose(out, layer(*plain, attention_mask=expected), rtol=1e-6)
        # Exactly zero weight on every masked (query, key) pair.
        assert (scores.numpy()[np.broadcast_to(~expected[:, None], scores.shape)]
                == 0).all()
        rows = scores.numpy().sum(-1)
        assert_allclose(rows, np.broadcast_to(expected.any(-1)[:, None], rows.shape),
                        rtol=1e-6)
        assert_allclose(out._keras_mask, q_mask)  # the query's mask carries on


def test_attention_mask_may_omit_or_include_the_heads_and_batch_axes(rng):
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    mask = np.tri(5, dtype=bool)
    out = layer(x, x, attention_mask=mask)
    assert_allclose(layer(x, x, attention_mask=np.tile(mask, (2, 1, 1))), out)
    assert_allclose(layer(x, x, attention_mask=np.tile(mask, (2, 2, 1, 1))), out)
    assert_allclose(layer(x, x, use_causal_mask=True), out)
    assert_allclose(layer(x, x, attention_mask=mask.astype(np.float32)), out)


def test_dropout_only_in_training_and_reproducible_with_seed(rng):
    x = rng.standard_normal((2, 6, 8)).astype(np.float32)
    layer = MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=1)
    inference = layer(x, x).numpy()
    assert_allclose(layer(x, x, training=False), inference)
    _, scores = layer(x, x, training=True, return_attention_scores=True)
    assert_allclose(scores.numpy().sum(-1), np.ones((2, 2, 6)), rtol=1e-6)
    assert not np.allclose(layer(x, x, training=True).numpy(), inference)
    twin = MultiHeadAttention.from_config(layer.get_config())
    twin(x, x)
    twin.set_weights(layer.get_weights())
    fresh = MultiHeadAttention.from_config(layer.get_config())
    fresh(x, x)
    fresh.set_weights(layer.get_weights())
    assert_allclose(twin(x, x, training=True), fresh(x, x, training=True))


def test_gradients_with_masks_by_finite_differences(rng):
    layer = ListCalledMHA(num_heads=2, key_dim=2, dtype="float64")
    q = rng.standard_normal((2, 3, 4))
    v = rng.standard_normal((2, 4, 3))
    layer([q, v])
    mask = rng.random((2, 3, 4)) > 0.4
    mask[0, 1] = False
    check_layer_gradients(_Masked(layer, mask), [q, v])


class _Masked:
    """Calls an MHA with a fixed attention mask and causal masking."""

    def __init__(self, layer, mask):
        self.layer = layer
        self.mask = mask
        self.trainable_weights = layer.trainable_weights

    def __call__(self, inputs, **kwargs):
        return self.layer(inputs, attention_mask=self.mask, use_causal_mask=True,
                          **kwargs)


def test_high_dimensional_attention_matches_flattened_axes(rng):
    # Attending over axes (1, 2) of (B, 2, 3, dim) is attention over 6 positions.
    layer = MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(1, 2))
    flat = MultiHeadAttention(num_heads=2, key_dim=3)
    q = rng.standard_normal((2, 2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 4, 5, 4)).astype(np.float32)
    out, scores = layer(q, v, return_attention_scores=True)
    flat(q.reshape(2, 6, 4), v.reshape(2, 20, 4))
    flat.set_weights(layer.get_weights())
    flat_out, flat_scores = flat(q.reshape(2, 6, 4), v.reshape(2, 20, 4),
                                 return_attention_scores=True)
    assert scores.shape == (2, 2, 2, 3, 4, 5)
    assert_allclose(out, flat_out.numpy().reshape(out.shape), rtol=1e-5, atol=1e-6)
    assert_allclose(scores, flat_scores.numpy().reshape(scores.shape), rtol=1e-5,
                    atol=1e-7)


def test_negative_attention_axes_equal_positive(rng):
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    pos = MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=2)
    neg = MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=-2)
    pos(x, x)
    neg(x, x)
    neg.set_weights(pos.get_weights())
    a = pos(x, x, use_causal_mask=True, return_attention_scores=True)
    b = neg(x, x, use_causal_mask=True, return_attention_scores=True)
    assert a[1].shape == (2, 3, 2, 4, 4)
    assert (a[1].numpy()[..., ~np.tri(4, dtype=bool)] == 0).all()
    for x1, x2 in zip(a, b, strict=True):
        assert_allclose(x1, x2)


def test_functional_model_with_two_inputs_trains_and_round_trips(rng):
    query = Input(shape=(4, 6))
    value = Input(shape=(None, 6))
    out, scores = MultiHeadAttention(num_heads=2, key_dim=3)(
        query, value, use_causal_mask=True, return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 2, 4, None)
    model = Model([query, value], out)
    data = [rng.standard_normal((8, 4, 6)).astype(np.float32),
            rng.standard_normal((8, 5, 6)).astype(np.float32)]
    model.compile("adam", "mse")
    history = model.fit(data, np.zeros((8, 4, 6), np.float32), epochs=2,
                        batch_size=4, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    assert_allclose(clone(data), model(data), rtol=1e-6)
    assert model.count_params() == 4 * 6 * 6 + 3 * 6 + 6


def test_regularizers_apply_to_each_projection():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, kernel_regularizer="l2",
                               activity_regularizer="l1")
    layer(np.ones((1, 2, 3), np.float32), np.ones((1, 2, 3), np.float32))
    assert len(layer.losses) == 4 + 4  # 4 kernels, 4 projection outputs
    config = layer.get_config()
    assert config["activity_regularizer"]["class_name"] == "L1"
    clone = MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    clone(np.ones((1, 2, 3), np.float32), np.ones((1, 2, 3), np.float32))
    assert len(clone.losses) == 8


def test_bad_arguments_raise_clear_errors():
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match="argument `num_heads`"):
            MultiHeadAttention(num_heads=bad, key_dim=4)
        with pytest.raises(ValueError, match="argument `key_dim`"):
            MultiHeadAttention(num_heads=4, key_dim=bad)
        with pytest.raises(ValueError, match="argument `value_dim`"):
            MultiHeadAttention(num_heads=4, key_dim=4, value_dim=bad)
    with pytest.raises(ValueError, match="dropout"):
        MultiHeadAttention(2, 2, dropout=1.0)
    with pytest.raises(ValueError, match="output_shape"):
        MultiHeadAttention(2, 2, output_shape="wide")
    with pytest.raises(ValueError, match="attention_axes"):
        MultiHeadAttention(2, 2, attention_axes="time")
    with pytest.raises(ValueError, match="attention_axes"):
        MultiHeadAttention(2, 2, attention_axes=2)(np.ones((1, 3, 4)),
                                                   np.ones((1, 3, 4)))


def test_bad_inputs_raise_clear_errors():
    layer = MultiHeadAttention(num_heads=4, key_dim=2)
    with pytest.raises(ValueError, match="needs a `value`"):
        layer(np.ones((2, 4, 8)))
    with pytest.raises(ValueError, match="must be equal"):
        layer(np.ones((2, 4, 8)), np.ones((2, 2, 8)), np.ones((2, 1, 8)))
    with pytest.raises(ValueError, match="must be equal"):
        layer.compute_output_shape((2, 4, 8), (2, 2, 8), (2, 1, 7))
    layer(np.ones((2, 4, 8)), np.ones((2, 2, 8)))
    with pytest.raises(ValueError, match=r"8 features.*\(2, 4, 6\)"):
        layer(np.ones((2, 4, 6)), np.ones((2, 2, 8)))
    with pytest.raises(ValueError, match=r"mask of shape \(3, 4, 2\)"):
        layer(np.ones((2, 4, 8)), np.ones((2, 2, 8)),
              attention_mask=np.ones((3, 4, 2), bool))
    with pytest.raises(ValueError, match="exactly one attention axis"):
        MultiHeadAttention(2, 2, attention_axes=(1, 2))(
            np.ones((1, 2, 3, 4)), np.ones((1, 2, 3, 4)), use_causal_mask=True)
    with pytest.raises(ValueError, match="same rank"):
        MultiHeadAttention(2, 2)(np.ones((1, 3, 4)), np.ones((1, 2, 3, 4)))
    with pytest.raises(ValueError, match="query is not|`query` is not"):
        MultiHeadAttention(2, 2)(np.ones((1, 3, 4)), Input(shape=(3, 4)))


def test_keyword_call_and_saved_model_archive(rng, tmp_path):
    from baro.keras import models

    layer = MultiHeadAttention(num_heads=2, key_dim=2, output_shape=3)
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 5, 4)).astype(np.float32)
    assert_allclose(layer(query=q, value=v, key=v), layer(q, v))
    query, value = Input(shape=(3, 4)), Input(shape=(5, 4))
    model = Model([query, value], layer(query=query, value=value))
    path = str(tmp_path / "mha.baro")
    model.save(path)
    restored = models.load_model(path)
    assert_allclose(restored([q, v]), model([q, v]), rtol=1e-6)
    assert restored.layers[-1].get_config() == layer.get_config()
