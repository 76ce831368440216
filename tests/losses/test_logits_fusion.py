"""Crossentropies on the output of a recorded softmax or sigmoid use its logits
(Keras on TensorFlow does the same), and everything else keeps the clipped
probabilities."""

import numpy as np
import pytest

import baro
from baro import layers, losses, ops
from baro.core import tracing
from baro.core.tensor import Tensor
from baro.keras import Sequential
from baro.testing import assert_allclose, gradcheck

LABELS = np.array([0, 3, 1, 2, 2])


def _logits(rng, shape=(5, 4)):
    return Tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)


def _op_names(fn) -> list[str]:
    with tracing.trace() as record:
        fn()
    return [type(function).__name__ for function, _, _ in record]


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_sparse_crossentropy_on_a_softmax_is_the_logits_form(rng):
    z = _logits(rng)
    loss = losses.sparse_categorical_crossentropy(LABELS, ops.softmax(z))
    from_logits = losses.sparse_categorical_crossentropy(LABELS, z, from_logits=True)
    np.testing.assert_array_equal(loss.numpy(), from_logits.numpy())
    names = _op_names(lambda: losses.sparse_categorical_crossentropy(
        LABELS, ops.softmax(z)))
    assert "SparseSoftmaxCrossEntropy" in names and "Clip" not in names
    ops.mean(loss).backward()
    expected = (_softmax(z.numpy()) - np.eye(4)[LABELS]) / len(LABELS)
    assert_allclose(z.grad, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_categorical_crossentropy_on_a_softmax_is_the_logits_form(rng,
                                                                  label_smoothing):
    z = _logits(rng)
    onehot = np.eye(4, dtype=np.float32)[LABELS]
    loss = losses.categorical_crossentropy(onehot, ops.softmax(z),
                                           label_smoothing=label_smoothing)
    from_logits = losses.categorical_crossentropy(
        onehot, z, from_logits=True, label_smoothing=label_smoothing)
    np.testing.assert_array_equal(loss.numpy(), from_logits.numpy())
    assert "SoftmaxCrossEntropy" in _op_names(
        lambda: losses.CategoricalCrossentropy()(onehot, ops.softmax(z)))


def test_binary_crossentropy_on_a_sigmoid_is_the_logits_form(rng):
    z = _logits(rng, (5, 1))
    y = (rng.uniform(size=(5, 1)) > 0.5).astype(np.float32)
    loss = losses.binary_crossentropy(y, ops.sigmoid(z))
    from_logits = losses.binary_crossentropy(y, z, from_logits=True)
    np.testing.assert_array_equal(loss.numpy(), from_logits.numpy())
    ops.mean(loss).backward()
    probs = 1 / (1 + np.exp(-z.numpy()))
    assert_allclose(z.grad, (probs - y) / 5, rtol=1e-5, atol=1e-7)


def test_confidently_wrong_predictions_keep_their_loss_and_gradient():
    z = Tensor([[30.0, 0.0]], requires_grad=True)
    loss = losses.sparse_categorical_crossentropy([1], ops.softmax(z))
    assert_allclose(loss, [30.0], rtol=1e-6)  # the clipped form stops at 16.12
    loss.sum().backward()
    assert_allclose(z.grad, [[1.0, -1.0]], atol=1e-6)
    s = Tensor([[-30.0]], requires_grad=True)
    loss = losses.binary_crossentropy([[1.0]], ops.sigmoid(s))
    assert_allclose(loss, [30.0], rtol=1e-6)
    loss.sum().backward()
    assert_allclose(s.grad, [[-1.0]], atol=1e-6)


def test_without_recording_the_probabilities_are_clipped():
    z = Tensor([[30.0, 0.0]], requires_grad=True)
    probs = ops.softmax(z)
    with baro.no_grad():
        loss = losses.sparse_categorical_crossentropy([1], probs)
        bce = losses.binary_crossentropy([[1.0]], ops.sigmoid(-z[:, :1]))
    assert_allclose(loss, [-np.log(1e-7)], rtol=1e-5)
    assert_allclose(bce, [-np.log(1e-7)], rtol=1e-5)


def test_a_softmax_along_another_axis_is_not_taken_for_logits(rng):
    z = _logits(rng, (4, 4))
    onehot = np.eye(4, dtype=np.float32)
    probs = ops.softmax(z, axis=0)
    loss = losses.categorical_crossentropy(onehot, probs)
    p = probs.numpy() / probs.numpy().sum(-1, keepdims=True)
    assert_allclose(loss, -np.log(np.clip(p, 1e-7, 1 - 1e-7))[np.arange(4),
                                                              np.arange(4)],
                    rtol=1e-5)
    assert "Clip" in _op_names(lambda: losses.categorical_crossentropy(
        onehot, ops.softmax(z, axis=0)))


def test_probabilities_used_elsewhere_still_get_their_gradient(rng):
    z = rng.standard_normal((5, 4))
    y = (rng.uniform(size=(5, 4)) > 0.5).astype(float)

    def softmax_twice(t):
        probs = ops.softmax(t)
        return ops.sum(losses.sparse_categorical_crossentropy(LABELS, probs)) + \
            ops.sum(probs * probs)

    def sigmoid_twice(t):
        probs = ops.sigmoid(t)
        return ops.sum(losses.binary_crossentropy(y, probs)) + ops.sum(probs ** 3)

    gradcheck(softmax_twice, z)
    gradcheck(sigmoid_twice, z)


def test_a_released_graph_falls_back_to_the_probabilities(rng):
    z = _logits(rng)
    probs = ops.softmax(z)
    fused = losses.sparse_categorical_crossentropy(LABELS, probs)
    fused.sum().backward()  # releases the softmax node's inputs
    again = losses.sparse_categorical_crossentropy(LABELS, probs)
    assert_allclose(again, fused, rtol=1e-6)


@pytest.mark.parametrize("output, loss, y", [
    ("softmax", "sparse_categorical_crossentropy", np.array([0, 2, 1, 1, 0, 2])),
    ("softmax", "categorical_crossentropy", np.eye(3)[[0, 2, 1, 1, 0, 2]]),
    ("sigmoid", "binary_crossentropy", np.array([[0.0], [1.0], [1.0], [0.0],
                                                 [1.0], [0.0]])),
])
def test_fit_is_bit_identical_eager_and_compiled(output, loss, y):
    x = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    units = 1 if output == "sigmoid" else 3
    results = []
    for eager in (True, False):
        baro.utils.set_random_seed(3)
        model = Sequential([layers.Input((4,)), layers.Dense(5, activation="tanh"),
                            layers.Dense(units, activation=output)])
        model.compile("adam", loss, metrics=[loss], run_eagerly=eager)
        history = model.fit(x, y, batch_size=3, epochs=3, verbose=0, shuffle=False)
        results.append((history.history, [w.numpy() for w in model.weights]))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_array_equal(a, b)
