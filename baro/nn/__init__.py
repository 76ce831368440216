"""`baro.nn`: TensorFlow's `tf.nn` names and argument names over baro's ops."""

from __future__ import annotations

from baro.nn.convolution import (
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv2d_transpose,
    max_pool,
    max_pool1d,
    max_pool2d,
)
from baro.ops import dropout as _dropout
from baro.ops import (
    elu,
    embedding_lookup,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    softplus,
    softsign,
    tanh,
)
from baro.ops import gelu as _gelu
from baro.ops import leaky_relu as _leaky_relu
from baro.ops import mean as _mean
from baro.ops import multiply as _multiply
from baro.ops import sigmoid_binary_cross_entropy as _sigmoid_bce
from baro.ops import softmax as _softmax
from baro.ops import softmax_cross_entropy as _softmax_ce
from baro.ops import square as _square
from baro.ops import sum as _sum
from baro.ops import var as _var
from baro.ops.convert import as_tensor


def softmax(logits, axis=None):
    """Softmax along `axis` (the last one when None)."""
    return _softmax(logits, axis=-1 if axis is None else axis)


def leaky_relu(features, alpha: float = 0.2):
    """`features` where positive, else `alpha * features` (TF default 0.2)."""
    return _leaky_relu(features, negative_slope=alpha)


def gelu(features, approximate: bool = False):
    """GELU; exact by default, as in `tf.nn.gelu` (Keras ops default to tanh)."""
    return _gelu(features, approximate=approximate)


def silu(features, beta: float = 1.0):
    """`features * sigmoid(beta * features)`."""
    if beta == 1.0:
        from baro.ops import silu as _silu

        return _silu(features)
    return _multiply(features, sigmoid(_multiply(features, beta)))


swish = silu


def dropout(x, rate: float, noise_shape=None, seed=None):
    """Inverted dropout: drops with probability `rate`, scales the rest."""
    return _dropout(x, rate, noise_shape=noise_shape, seed=seed)


def softmax_cross_entropy_with_logits(labels, logits, axis: int = -1):
    """Per-example cross-entropy of probability `labels` and `softmax(logits)`."""
    return _softmax_ce(labels, logits, axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """Per-example cross-entropy of integer class `labels` and `softmax(logits)`.

    Raises:
        ValueError: If labels are not integers of the logits' shape minus the
            last axis.
    """
    labels = as_tensor(labels)
    logits = as_tensor(logits)
    if labels.dtype.kind not in "iu" or labels.shape != logits.shape[:-1]:
        raise ValueError(
            "sparse_softmax_cross_entropy_with_logits: labels must be integer "
            f"class ids of shape {logits.shape[:-1]}, received {labels.shape} "
            f"{labels.dtype}. For one-hot labels use "
            "softmax_cross_entropy_with_logits."
        )
    return _softmax_ce(labels, logits, axis=-1)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None):
    """Elementwise logistic loss of `labels` in [0, 1] against `logits`."""
    return _sigmoid_bce(labels, logits)


def moments(x, axes, keepdims: bool = False):
    """`(mean, variance)` of x over `axes`."""
    return _mean(x, axis=axes, keepdims=keepdims), _var(x, axis=axes, keepdims=keepdims)


def l2_loss(t):
    """`sum(t ** 2) / 2`."""
    return _sum(_square(t)) * 0.5


def bias_add(value, bias):
    """Adds a 1-D `bias` along the last axis of `value`."""
    value = as_tensor(value)
    bias = as_tensor(bias)
    if bias.ndim != 1 or bias.shape[0] != value.shape[-1]:
        raise ValueError(
            f"bias_add: bias must have shape ({value.shape[-1]},) to match the last "
            f"axis of value {value.shape}, received {bias.shape}."
        )
    return value + bias


__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("annotations", "as_tensor", "convolution")]
