"""dropout, embedding lookup and the fused cross-entropies."""

import numpy as np
import pytest

import baro
from baro import ops
from baro.testing import assert_allclose, gradcheck


def _log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def test_dropout_zeroes_at_rate_and_rescales(rng):
    x = np.ones((200, 100), dtype=np.float32)
    y = ops.dropout(x, 0.3).numpy()
    kept = y != 0
    assert y.dtype == np.float32
    assert abs(kept.mean() - 0.7) < 0.01
    assert_allclose(y[kept], np.full(kept.sum(), 1 / 0.7), rtol=1e-6)


def test_dropout_gradient_uses_the_same_mask(rng):
    x = baro.Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    y = ops.dropout(x, 0.5, seed=3)
    y.sum().backward()
    assert_allclose(x.grad, (y.numpy() != 0) * 2.0)


def test_dropout_is_reproducible_with_seeds():
    x = np.ones((3, 4))
    a = ops.dropout(x, 0.5, seed=7).numpy()
    assert_allclose(ops.dropout(x, 0.5, seed=7), a)  # int seed: same mask
    baro.utils.set_random_seed(11)
    b = ops.dropout(x, 0.5).numpy()
    baro.utils.set_random_seed(11)
    assert_allclose(ops.dropout(x, 0.5), b)
    gen = baro.random.SeedGenerator(5)
    first = ops.dropout(np.ones((10, 10)), 0.5, seed=gen).numpy()
    second = ops.dropout(np.ones((10, 10)), 0.5, seed=gen).numpy()
    assert not np.array_equal(first, second)  # a SeedGenerator advances


def test_dropout_noise_shape_drops_whole_columns():
    y = ops.dropout(np.ones((50, 8)), 0.5, noise_shape=(1, 8), seed=1).numpy()
    assert (y == y[0]).all()


def test_dropout_rejects_bad_rate():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        ops.dropout(np.ones(3), 1.0)
    assert ops.dropout(np.ones(3), 0.0).numpy().tolist() == [1.0, 1.0, 1.0]


def test_embedding_lookup_accumulates_repeated_ids(rng):
    table = baro.Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    ids = np.array([[0, 2], [2, 4]])
    y = ops.embedding_lookup(table, ids)
    assert y.shape == (2, 2, 3)
    assert_allclose(y, table.numpy()[ids])
    y.sum().backward()
    assert table.grad.numpy()[:, 0].tolist() == [1.0, 0.0, 2.0, 0.0, 1.0]
    gradcheck(lambda t: ops.embedding_lookup(t, ids), rng.standard_normal((5, 3)))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (3,)])
def test_softmax_cross_entropy_sparse_and_dense_agree(shape, rng):
    logits = rng.standard_normal(shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    onehot = np.eye(shape[-1])[labels]
    expected = -(onehot * _log_softmax(logits)).sum(-1)
    assert_allclose(ops.softmax_cross_entropy(labels, logits), expected, rtol=1e-12)
    assert_allclose(ops.softmax_cross_entropy(onehot, logits), expected, rtol=1e-12)
    gradcheck(lambda z: ops.softmax_cross_entropy(labels, z), logits)
    gradcheck(ops.softmax_cross_entropy, rng.dirichlet(np.ones(shape[-1]),
              size=shape[:-1]), logits)


def test_softmax_cross_entropy_on_axis_zero(rng):
    logits = rng.standard_normal((3, 4))
    labels = rng.integers(0, 3, size=(4,))
    expected = ops.softmax_cross_entropy(labels, logits.T).numpy()
    assert_allclose(ops.softmax_cross_entropy(labels, logits, axis=0), expected)
    gradcheck(lambda z: ops.softmax_cross_entropy(labels, z, axis=0), logits)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e20, 0.0]], dtype=np.float32)
    loss = ops.softmax_cross_entropy([0, 0], logits).numpy()
    assert_allclose(loss, [0.0, 1e20], rtol=1e-6)
    z = baro.Tensor(logits, requires_grad=True)
    ops.softmax_cross_entropy([0, 0], z).sum().backward()
    assert np.isfinite(z.grad.numpy()).all()


def test_softmax_cross_entropy_matches_torch(rng):
    torch = pytest.importorskip("torch")
    logits = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, size=6)
    zt = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(zt, torch.tensor(labels),
                                      reduction="sum").backward()
    zb = baro.Tensor(logits, requires_grad=True)
    ops.softmax_cross_entropy(labels, zb).sum().backward()
    assert_allclose(zb.grad, zt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_softmax_cross_entropy_bad_labels():
    with pytest.raises(ValueError, match=r"\(4,\).*\(2, 3\)"):
        ops.softmax_cross_entropy(np.zeros(4, dtype=int), np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        ops.softmax_cross_entropy(np.array([0, 3]), np.zeros((2, 3)))


def test_sigmoid_binary_cross_entropy(rng):
    logits = rng.standard_normal((3, 4)) * 3
    labels = rng.uniform(size=(3, 4))
    p = 1 / (1 + np.exp(-logits))
    expected = -(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    assert_allclose(ops.sigmoid_binary_cross_entropy(labels, logits), expected,
                    rtol=1e-10)
    gradcheck(ops.sigmoid_binary_cross_entropy, labels, logits)
    extreme = ops.sigmoid_binary_cross_entropy([1.0, 0.0], [-1000.0, 1000.0])
    assert_allclose(extreme, [1000.0, 1000.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_binary_cross_entropy_keeps_tiny_losses_and_gradients(dtype):
    # A confident right answer has a loss of ~e^-|z|: log(1 + e^z) - z would
    # cancel it to 0; the op must keep its digits (as TF's formula does).
    z = np.array([30.0, -30.0, 60.0, -60.0, 5.0], dtype)
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0], dtype)
    expected = np.log1p(np.exp(-np.abs(z.astype(np.float64))))
    t = baro.Tensor(z, requires_grad=True)
    loss = ops.sigmoid_binary_cross_entropy(y, t)
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-6)
    loss.sum().backward()
    sigmoid = 1 / (1 + np.exp(-z.astype(np.float64)))
    # sigmoid(z) - y is formed near 1 - 1: within a couple of ulps of 1, as TF.
    np.testing.assert_allclose(t.grad.numpy(), sigmoid - y, rtol=0,
                               atol=2 * np.finfo(dtype).eps)
    with pytest.raises(ValueError, match="must match"):
        ops.sigmoid_binary_cross_entropy(np.ones(3), np.ones(4))


def test_sigmoid_binary_cross_entropy_matches_torch(rng):
    torch = pytest.importorskip("torch")
    logits = rng.standard_normal(5) * 4
    labels = (rng.uniform(size=5) > 0.5).astype(float)
    zt = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.binary_cross_entropy_with_logits(
        zt, torch.tensor(labels), reduction="sum").backward()
    zb = baro.Tensor(logits, requires_grad=True)
    ops.sigmoid_binary_cross_entropy(labels, zb).sum().backward()
    assert_allclose(zb.grad, zt.grad.numpy(), rtol=1e-10)


def test_sigmoid_binary_cross_entropy_on_scalars():
    loss = ops.sigmoid_binary_cross_entropy(np.float32(1.0), np.float32(2.0))
    np.testing.assert_allclose(loss.numpy(), np.log1p(np.exp(-2.0)), rtol=1e-6)
