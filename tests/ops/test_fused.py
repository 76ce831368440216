"""Fused kernels: dense (matmul + bias + activation in one node), inference
batch_normalization, and standardize's compact backward."""

import numpy as np
import pytest

import baro
from baro import layers, ops
from baro.core import tracing
from baro.core.tensor import Tensor
from baro.ops.nn import dense
from baro.ops.normalization import batch_normalization, standardize
from baro.testing import assert_allclose, gradcheck

ACTIVATIONS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0),
               "tanh": np.tanh}


def _op_names(fn) -> list[str]:
    with tracing.trace() as record:
        fn()
    return [type(function).__name__ for function, _, _ in record]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_dense_forward_and_gradients(rng, activation, shape):
    x = rng.standard_normal(shape)
    w, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    reference = ACTIVATIONS[activation]
    assert_allclose(dense(x, w, b, activation), reference(x @ w + b), rtol=1e-12)
    assert_allclose(dense(x, w, activation=activation), reference(x @ w),
                    rtol=1e-12)
    gradcheck(lambda x, w, b: dense(x, w, b, activation), x, w, b)
    gradcheck(lambda x, w: dense(x, w, activation=activation), x, w)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_dense_is_bit_identical_to_matmul_add_activation(rng, activation):
    x = rng.standard_normal((64, 30)).astype(np.float32)
    w = rng.standard_normal((30, 20)).astype(np.float32)
    b = rng.standard_normal(20).astype(np.float32)
    seed = rng.standard_normal((64, 20)).astype(np.float32)
    unfused = {"linear": lambda z: z, "relu": ops.relu, "tanh": ops.tanh}[activation]
    results = []
    for fused in (True, False):
        tensors = [Tensor(a.copy(), requires_grad=True) for a in (x, w, b)]
        tx, tw, tb = tensors
        y = dense(tx, tw, tb, activation) if fused else unfused(tx @ tw + tb)
        (y * seed).sum().backward()
        results.append([y.numpy()] + [t.grad.numpy() for t in tensors])
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_array_equal(fused, composed)


def test_dense_relu_gradient_is_zero_at_the_kink():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    w = Tensor([[1.0], [-0.5]], requires_grad=True)  # x @ w = 0 exactly
    dense(x, w, activation="relu").sum().backward()
    assert x.grad.numpy().tolist() == [[0.0, 0.0]]
    assert w.grad.numpy().tolist() == [[0.0], [0.0]]


def test_dense_skips_gradients_nobody_needs(rng):
    x = Tensor(rng.standard_normal((4, 3)).astype(np.float32))  # data: no grad
    w = Tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, np.float32))
    y = dense(x, w, b, "tanh")
    gx, gw, gb = y.creator.backward(np.ones((4, 2), np.float32))
    assert gx is None and gb is None and gw.dtype == np.float32


def test_dense_rejects_bad_arguments():
    with pytest.raises(ValueError, match="activation.*'softmax'"):
        dense(np.ones((2, 3)), np.ones((3, 4)), activation="softmax")
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        dense(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"bias has shape \(3,\), expected \(4,\)"):
        dense(np.ones((2, 3)), np.ones((3, 4)), np.ones(3))


@pytest.mark.parametrize("activation, ops_run", [
    (None, ["Dense"]), ("linear", ["Dense"]), ("relu", ["Dense"]),
    ("tanh", ["Dense"]), ("softmax", ["Dense", "Softmax"]),
    ("sigmoid", ["Dense", "Sigmoid"]), ("gelu", ["Dense", "Gelu"]),
])
def test_dense_layer_fuses_what_it_can(activation, ops_run):
    layer = layers.Dense(3, activation=activation)
    x = np.ones((2, 4), np.float32)
    layer.build(x.shape)
    assert _op_names(lambda: layer(x)) == ops_run


def test_dense_layer_without_bias_and_on_sequences(rng):
    layer = layers.Dense(3, activation="relu", use_bias=False)
    x = rng.standard_normal((2, 5, 4)).astype(np.float32)
    y = layer(x)
    assert y.shape == (2, 5, 3) and y.dtype == np.float32
    assert_allclose(y, np.maximum(x @ layer.kernel.numpy(), 0), rtol=1e-6)


@pytest.mark.parametrize("axis", [-1, 1])
def test_batch_normalization_is_one_node_differentiable_in_everything(rng, axis):
    x = rng.standard_normal((3, 4, 2))
    n = x.shape[axis]
    mean, offset, scale = (rng.standard_normal(n) for _ in range(3))
    variance = rng.uniform(0.5, 2.0, n)
    shape = [1, 1, 1]
    shape[axis] = n

    def laid(v):
        return v.reshape(shape)

    expected = (x - laid(mean)) / np.sqrt(laid(variance) + 1e-3) * laid(scale) \
        + laid(offset)
    y = batch_normalization(x, mean, variance, axis, offset, scale, 1e-3)
    assert_allclose(y, expected, rtol=1e-12)
    assert _op_names(lambda: batch_normalization(
        x, mean, variance, axis, offset, scale)) == ["BatchNorm"]
    gradcheck(lambda *a: batch_normalization(a[0], a[1], a[2], axis, a[3], a[4],
                                             1e-3), x, mean, variance, offset, scale)
    gradcheck(lambda x, m, v: batch_normalization(x, m, v, axis), x, mean, variance)
    gradcheck(lambda x, m, v, s: batch_normalization(x, m, v, axis, scale=s),
              x, mean.reshape(1, n), variance, scale)


def test_batch_normalization_keeps_the_unfused_arithmetic(rng):
    x = rng.standard_normal((8, 5)).astype(np.float32)
    mean, offset, scale = (rng.standard_normal(5).astype(np.float32)
                           for _ in range(3))
    variance = rng.uniform(0.5, 2.0, 5).astype(np.float32)
    a = 1 / np.sqrt(variance + np.float32(1e-3)) * scale
    b = -mean * a + offset
    y = batch_normalization(x, mean, variance, -1, offset, scale, 1e-3)
    np.testing.assert_array_equal(y.numpy(), x * a + b)


def test_batch_normalization_rejects_a_negative_variance():
    with pytest.raises(ValueError, match="batch_normalization"):
        batch_normalization(np.ones((2, 2)), [0.0, 0.0], [1.0, -1.0], -1,
                            epsilon=0.0)


def test_batch_normalization_layer_inference_runs_one_node(rng):
    layer = layers.BatchNormalization()
    x = rng.standard_normal((4, 3)).astype(np.float32)
    layer(x, training=True)
    with baro.no_grad():
        assert _op_names(lambda: layer(x, training=False)) == ["BatchNorm"]


@pytest.mark.parametrize("axes, param_shape", [
    ((0, 2), (1, 3, 1)),  # BatchNormalization, channels_first: compact backward
    ((0, 1), (4,)),        # BatchNormalization, channels_last: compact backward
    ((2,), (4,)),          # LayerNormalization: scale varies along the axes
    ((1, 2), (3, 1)),      # a scale constant along one reduced axis only
])
def test_standardize_gradients_with_scale_and_offset(rng, axes, param_shape):
    x = rng.standard_normal((5, 3, 4))
    scale = rng.standard_normal(param_shape) + 2.0
    offset = rng.standard_normal(param_shape)
    gradcheck(lambda *a: list(standardize(a[0], axes, 1e-3, a[1], a[2])),
              x, scale, offset)
    gradcheck(lambda x, s: standardize(x, axes, 1e-3, scale=s)[0], x, scale)
    gradcheck(lambda x, o: standardize(x, axes, 1e-3, offset=o)[0], x, offset)
    y = standardize(x, axes, 1e-3, scale, offset)[0]
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3) * scale + offset,
                    rtol=1e-10)


def test_standardize_matches_torch_batch_norm_with_affine_parameters(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((6, 3, 2, 2)).astype(np.float32)
    gamma = rng.standard_normal(3).astype(np.float32)
    beta = rng.standard_normal(3).astype(np.float32)
    seed = rng.standard_normal(x.shape).astype(np.float32)
    tensors = [Tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    laid = [ops.reshape(t, (1, 3, 1, 1)) for t in tensors[1:]]
    y = standardize(tensors[0], (0, 2, 3), 1e-3, *laid)[0]
    (y * seed).sum().backward()
    torch_tensors = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    xt, gt, bt = torch_tensors
    yt = torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True,
                                        eps=1e-3)
    (yt * torch.tensor(seed)).sum().backward()
    assert_allclose(y, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    for ours, theirs in zip(tensors, torch_tensors, strict=True):
        assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-4, atol=1e-4)
