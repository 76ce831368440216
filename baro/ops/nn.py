"""Neural-network ops: fused dense, dropout, embedding lookup, fused cross-entropies."""

from __future__ import annotations

import numpy as np

from baro.backend import random as backend_random
from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.casting import cast_tensor
from baro.ops.convert import as_float, as_tensor, normalize_axis
from baro.ops.dense import DENSE_ACTIVATIONS, Dense, dense  # noqa: F401 (re-exported)


class Dropout(Function):
    """y = x * mask / (1 - rate), mask ~ Bernoulli(1 - rate);  dx = g * the same.

    The mask is drawn in forward, so a replayed graph draws a new one each run.
    """

    def __init__(self, rate: float, mask_shape, seed) -> None:
        self.rate = rate
        self.mask_shape = mask_shape
        self.seed = seed

    def forward(self, x):
        draws = backend_random.random_float_mask(self.mask_shape, x.dtype,
                                                 seed=self.seed)
        scaled_mask = (draws >= self.rate) * x.dtype.type(1.0 / (1.0 - self.rate))
        self.saved = (scaled_mask,)
        return x * scaled_mask

    def backward(self, g):
        return g * self.saved[0]


def _log_softmax(logits, axis):
    xp = get_array_module(logits)
    z = logits - logits.max(axis=axis, keepdims=True)
    return z - xp.log(xp.exp(z).sum(axis=axis, keepdims=True))


class SoftmaxCrossEntropy(Function):
    """loss = -sum(p * log_softmax(z)) over the class axis, per sample.

    d loss / dz = (softmax(z) * sum(p) - p) * g, which is softmax(z) - p for
    labels that sum to one; d loss / dp = -log_softmax(z) * g (soft labels).
    """

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, logits, labels):
        log_probs = _log_softmax(logits, self.axis)
        self.saved = (log_probs, labels)
        return -(labels * log_probs).sum(axis=self.axis)

    def backward(self, g):
        log_probs, labels = self.saved
        xp = get_array_module(log_probs)
        g = xp.expand_dims(g, self.axis)
        g_logits = xp.exp(log_probs)  # a fresh buffer, finished in place
        g_logits *= labels.sum(axis=self.axis, keepdims=True)
        g_logits -= labels
        g_logits *= g
        g_labels = -log_probs * g if self.inputs[1].requires_grad else None
        return g_logits, g_labels


class SparseSoftmaxCrossEntropy(Function):
    """loss = -log_softmax(z)[label] per sample (integer labels, never one-hot);
    d loss / dz = (softmax(z) - onehot(label)) * g."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, logits, ids):
        xp = get_array_module(logits)
        log_probs = _log_softmax(logits, self.axis)
        self.saved = (log_probs, ids)
        picked = xp.take_along_axis(log_probs, xp.expand_dims(ids, self.axis),
                                    self.axis)
        return -picked.squeeze(self.axis)

    def backward(self, g):
        log_probs, ids = self.saved
        xp = get_array_module(log_probs)
        grad = xp.exp(log_probs)
        index = list(xp.indices(ids.shape, sparse=True))
        index.insert(self.axis, ids)
        grad[tuple(index)] -= 1
        grad *= xp.expand_dims(g, self.axis)
        return grad, None


class SigmoidBinaryCrossEntropy(Function):
    """loss = log(1 + e^z) - z * y elementwise, computed as
    logaddexp(-z y, z (1 - y)) (the same value: log(e^{-zy} + e^{z - zy})),
    which is as accurate as TF's max(z, 0) - z y + log(1 + e^{-|z|}) (no
    cancellation: a confident right answer's tiny loss keeps its digits) in 4
    ufunc calls instead of 8: this op ends every binary classifier, whose
    small steps are call-bound.
    d/dz = (sigmoid(z) - y) * g,  d/dy = -z * g.

    sigmoid(z) = exp(z (1 - y) - loss) (= exp(z - softplus(z)) <= 1), from
    the saved z (1 - y) and loss: no overflow, no lost small values.
    """

    def forward(self, labels, logits):
        zy = logits * labels
        rest = logits - zy                      # z (1 - y)
        loss = np.logaddexp(-zy, rest)          # (no out=: 0-d inputs give scalars)
        self.saved = (labels, logits, rest, loss)
        return loss

    def backward(self, g):
        labels, logits, rest, loss = self.saved
        g_labels = -logits * g if self.inputs[0].requires_grad else None
        g_logits = np.exp(rest - loss)
        g_logits = (g_logits - labels) * g
        return g_labels, g_logits


def dropout(x, rate: float, noise_shape=None, seed=None):
    """Zeroes each element with probability `rate`, scaling the rest by
    1 / (1 - rate) so the expected value is unchanged (`keras.random.dropout`).

    Args:
        x: Input tensor.
        rate: Drop probability in [0, 1).
        noise_shape: Shape of the mask, broadcast against x (e.g. `(batch, 1,
            channels)` drops whole channels).
        seed: None (global generator), an int (the same mask every call) or a
            `baro.random.SeedGenerator`.

    Raises:
        ValueError: If rate is outside [0, 1).
    """
    x = as_float(x, "dropout")
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), received {rate}.")
    if rate == 0.0:
        return x
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if n is None else int(n) for i, n in enumerate(noise_shape))
    return Dropout(rate, shape, seed).apply(x)


def embedding_lookup(params, ids):
    """Rows of `params` (vocab, dim) at integer `ids` (`tf.nn.embedding_lookup`).

    The gradient is scatter-added into the rows used, so repeated ids accumulate.
    """
    from baro.ops.indexing import take

    return take(params, ids, axis=0)


def softmax_cross_entropy(labels, logits, axis: int = -1):
    """Cross-entropy between labels and softmax(logits), fused and stable.

    Args:
        labels: Integer class ids with the logits' shape minus `axis`, or a
            probability distribution (one-hot or soft) with the logits' shape.
        logits: Unnormalized scores.
        axis: The class axis.

    Returns:
        Per-sample losses: the logits' shape without `axis`.

    Raises:
        ValueError: If the labels' shape fits neither form, naming both shapes.
        IndexError: If an integer label is outside [0, num_classes).

    Example:
        >>> import baro
        >>> loss = baro.ops.softmax_cross_entropy([0], [[0.0, 0.0]])
        >>> round(float(loss[0]), 4)
        0.6931
    """
    logits = as_float(logits, "softmax_cross_entropy")
    labels = as_tensor(labels)
    (axis,) = normalize_axis(axis, logits.ndim, "softmax_cross_entropy")
    sample_shape = logits.shape[:axis] + logits.shape[axis + 1:]
    if labels.data.dtype.kind in "iu" and labels.shape == sample_shape:
        ids = labels.data
        n = logits.shape[axis]
        if ids.size and (ids.min() < 0 or ids.max() >= n):
            raise IndexError(
                f"softmax_cross_entropy: integer labels must lie in [0, {n}) for "
                f"{n} classes; received values from {int(ids.min())} to "
                f"{int(ids.max())}."
            )
        return SparseSoftmaxCrossEntropy(axis).apply(logits, labels)
    if labels.shape != logits.shape:
        raise ValueError(
            f"softmax_cross_entropy: labels have shape {labels.shape} and logits "
            f"{logits.shape}. Give integer labels of shape {sample_shape} or "
            f"one-hot/probability labels of shape {logits.shape}."
        )
    labels = as_float(labels)
    if labels.data.dtype != logits.data.dtype and not labels.requires_grad:
        labels = cast_tensor(labels, logits.data.dtype)
    return SoftmaxCrossEntropy(axis).apply(logits, labels)


def sigmoid_binary_cross_entropy(labels, logits):
    """Elementwise binary cross-entropy of labels in [0, 1] against
    sigmoid(logits), in the stable form that never takes log(0)
    (`tf.nn.sigmoid_cross_entropy_with_logits`).

    Raises:
        ValueError: If the shapes differ.
    """
    logits = as_float(logits, "sigmoid_binary_cross_entropy")
    labels = as_float(labels, "sigmoid_binary_cross_entropy")
    if labels.shape != logits.shape:
        raise ValueError(
            f"sigmoid_binary_cross_entropy: labels have shape {labels.shape}, "
            f"logits {logits.shape}; they must match."
        )
    if labels.data.dtype != logits.data.dtype and not labels.requires_grad:
        labels = cast_tensor(labels, logits.data.dtype)
    return SigmoidBinaryCrossEntropy().apply(labels, logits)
