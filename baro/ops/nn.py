"""Neural-network ops: fused dense, dropout, embedding lookup, fused cross-entropies."""

from __future__ import annotations

import numpy as np

from baro.backend import random as backend_random
from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.casting import cast_tensor
from baro.ops.convert import as_float, as_tensor, binary_operands, normalize_axis

# Activations `Dense` applies in place, and their derivative in terms of the
# output y (relu'(0) = 0, as the standalone op).
DENSE_ACTIVATIONS = ("linear", "relu", "tanh")


class Dense(Function):
    """y = act(x @ w + b) as one node, for act in linear, relu, tanh.

    Forward writes x @ w into a fresh buffer and adds the bias and applies the
    activation in place (no intermediate arrays). Leading axes of x are folded
    into the rows of one matrix product. With gz = g * act'(y), computed from
    the saved output (relu: y > 0; tanh: 1 - y^2):

        dx = gz @ w^T,   dw = x^T @ gz,   db = sum of gz over the rows.

    The same NumPy calls in the same order as matmul, add and the activation
    op, so on 2-D inputs the results are bit-identical to that composition.
    """

    def __init__(self, activation: str) -> None:
        self.activation = activation

    def forward(self, x, w, *b):
        rows = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        z = rows @ w
        if b:
            z += b[0]
        if self.activation == "relu":
            np.maximum(z, 0, out=z)
        elif self.activation == "tanh":
            np.tanh(z, out=z)
        self.saved = (rows, w, z)
        return z if x.ndim == 2 else z.reshape(x.shape[:-1] + (w.shape[1],))

    def backward(self, g):
        rows, w, y = self.saved
        if g.ndim != 2:
            g = g.reshape(y.shape)
        if self.activation == "relu":
            g = g * (y > 0)
        elif self.activation == "tanh":
            g = g * (1 - y * y)
        inputs = self.inputs
        gx = g @ w.T if inputs[0].requires_grad else None
        if gx is not None and inputs[0].ndim != 2:
            gx = gx.reshape(inputs[0].shape)
        gw = rows.T @ g if inputs[1].requires_grad else None
        if len(inputs) == 2:
            return gx, gw
        gb = g.sum(axis=0) if inputs[2].requires_grad else None
        return gx, gw, gb


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
    """loss = max(z, 0) - z * y + log(1 + exp(-|z|)), elementwise (stable form of
    -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)));
    d/dz = (sigmoid(z) - y) * g,  d/dy = -z * g.

    sigmoid(z) is rebuilt from the saved e = exp(-|z|), which never overflows:
    1 / (1 + e) for z >= 0 and e / (1 + e) below.
    """

    def forward(self, labels, logits):
        e = np.exp(-np.abs(logits))
        self.saved = (labels, logits, e)
        return np.maximum(logits, 0) - logits * labels + np.log1p(e)

    def backward(self, g):
        labels, logits, e = self.saved
        g_labels = -logits * g if self.inputs[0].requires_grad else None
        g_logits = np.where(logits >= 0, 1, e)
        g_logits /= 1 + e
        g_logits -= labels
        g_logits *= g
        return g_labels, g_logits


def dense(x, kernel, bias=None, activation: str = "linear"):
    """`activation(x @ kernel + bias)` in one fused node (the Dense layer's math).

    Args:
        x: Input of shape `(..., input_dim)`.
        kernel: Weights of shape `(input_dim, units)`.
        bias: Optional vector of shape `(units,)` (default None).
        activation: One of "linear" (default), "relu", "tanh".

    Returns:
        A tensor of shape `(..., units)`.

    Raises:
        ValueError: If the shapes do not fit or the activation is not one of
            the fused ones, naming what was received.

    Example:
        >>> import baro
        >>> from baro.ops.nn import dense
        >>> dense(baro.ones((2, 3)), baro.ones((3, 4)), baro.ones(4), "relu").numpy()
        array([[4., 4., 4., 4.],
               [4., 4., 4., 4.]], dtype=float32)
    """
    if activation not in DENSE_ACTIVATIONS:
        raise ValueError(
            f"dense: activation must be one of {DENSE_ACTIVATIONS}, received "
            f"{activation!r}. Apply other activations to the linear output.")
    x, kernel = binary_operands(as_float(x, "dense"), as_float(kernel, "dense"))
    if kernel.ndim != 2 or x.ndim < 1 or x.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"dense: x has shape {x.shape} and kernel {kernel.shape}; the kernel "
            f"must be (input_dim, units) with input_dim = x.shape[-1].")
    if bias is None:
        return Dense(activation).apply(x, kernel)
    bias = as_tensor(bias, kernel.data.dtype)
    if bias.shape != (kernel.shape[1],):
        raise ValueError(
            f"dense: bias has shape {bias.shape}, expected ({kernel.shape[1]},) "
            f"for a kernel of shape {kernel.shape}.")
    return Dense(activation).apply(x, kernel, bias)


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
