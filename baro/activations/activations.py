"""Activation functions under their Keras 3 names (`keras.activations.*`).

Each function takes a tensor or array-like (integers become `floatx()`) and
returns a Tensor of the same shape and float dtype (`glu` halves one axis).
Every function composes `baro.ops`, so gradients are right by construction and
the kink conventions are the ops' own (relu'(0) = 0, see ops/activation.py).
Where Keras's default differs from the op's, the Keras default wins here:
`gelu(x)` is exact (the op defaults to the tanh approximation).
"""

from __future__ import annotations

from baro import ops
from baro.core.tensor import Tensor
from baro.ops.convert import as_float, normalize_axis


def relu(x, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """Rectified linear unit, with Keras's optional slope, cap and threshold.

    y = x if x > threshold, else negative_slope * (x - threshold); when
    `max_value` is given the first branch is clipped to [0, max_value] (as
    Keras clips). The defaults give max(x, 0).

    Args:
        x: Input tensor.
        negative_slope: Slope below the threshold (default 0.0).
        max_value: Largest value returned, or None for no cap (default None).
        threshold: Values at or below it are damped (default 0.0).

    Returns:
        A tensor with the shape and dtype of `x`.

    Raises:
        ValueError: If `max_value` is negative.

    Example:
        >>> from baro import activations
        >>> x = [-10.0, -5.0, 0.0, 5.0, 10.0]
        >>> activations.relu(x, negative_slope=0.5, max_value=5.0).numpy()
        array([-5. , -2.5,  0. ,  5. ,  5. ], dtype=float32)
    """
    x = as_float(x, "relu")
    if max_value is not None and max_value < 0:
        raise ValueError(
            f"relu: max_value must be >= 0 or None, received {max_value}.")
    if negative_slope == 0 and max_value is None and threshold == 0:
        return ops.relu(x)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return ops.leaky_relu(x, negative_slope)
    if negative_slope == 0 and max_value == 6 and threshold == 0:
        return ops.relu6(x)  # as Keras: relu6's gradient is 0 at 6, clip's is 1
    # The general case follows Keras step by step, so each corner (threshold
    # plus cap plus slope) gives Keras's numbers.
    if negative_slope != 0:
        negative_part = ops.relu(threshold - x)
    if threshold != 0:
        # x where x > threshold, else 0; the mask carries no gradient.
        y = x * ops.cast(ops.greater(x, threshold), x.dtype)
    else:
        y = ops.relu(x)
    if max_value is not None:
        # A Python float takes x's dtype; a NumPy float64 bound would not.
        y = ops.clip(y, 0.0, float(max_value))
    if negative_slope != 0:
        y = y - negative_slope * negative_part
    return y


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """y = x if x > 0 else negative_slope * x.

    Args:
        x: Input tensor.
        negative_slope: Slope for x <= 0 (default 0.2).

    Example:
        >>> from baro import activations
        >>> activations.leaky_relu([-1.0, 2.0]).numpy()
        array([-0.2,  2. ], dtype=float32)
    """
    return ops.leaky_relu(x, negative_slope)


def relu6(x) -> Tensor:
    """y = min(max(x, 0), 6)."""
    return ops.relu6(x)


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: y = x if x > 0 else alpha * (exp(x) - 1).

    Args:
        x: Input tensor.
        alpha: Scale of the negative part (default 1.0).
    """
    return ops.elu(x, alpha)


def selu(x) -> Tensor:
    """Scaled ELU: y = scale * elu(x, alpha), alpha = 1.67326324,
    scale = 1.05070098 (Klambauer et al., 2017); pair with `LecunNormal`."""
    return ops.selu(x)


def celu(x, alpha: float = 1.0) -> Tensor:
    """Continuously differentiable ELU: y = x if x >= 0, else
    alpha * (exp(x / alpha) - 1); computed as alpha * elu(x / alpha).

    Args:
        x: Input tensor.
        alpha: Shape parameter, must be non-zero (default 1.0).

    Raises:
        ValueError: If `alpha` is 0.
    """
    if alpha == 0:
        raise ValueError("celu: alpha must be non-zero, received 0.")
    return alpha * ops.elu(as_float(x, "celu") / alpha)


def softplus(x) -> Tensor:
    """y = log(1 + exp(x)), stable for large |x|."""
    return ops.softplus(x)


def softsign(x) -> Tensor:
    """y = x / (1 + |x|)."""
    return ops.softsign(x)


def silu(x) -> Tensor:
    """Swish / SiLU: y = x * sigmoid(x).

    Example:
        >>> from baro import activations
        >>> activations.silu([0.0]).numpy()
        array([0.], dtype=float32)
    """
    return ops.silu(x)


swish = silu


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit.

    Exact: y = x * Phi(x) = x/2 * (1 + erf(x / sqrt(2))). Approximate:
    y = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).

    Args:
        x: Input tensor.
        approximate: Use the tanh formula (default False, as Keras).
    """
    return ops.gelu(x, approximate=approximate)


def tanh(x) -> Tensor:
    """y = (exp(x) - exp(-x)) / (exp(x) + exp(-x))."""
    return ops.tanh(x)


def sigmoid(x) -> Tensor:
    """y = 1 / (1 + exp(-x)).

    Example:
        >>> from baro import activations
        >>> activations.sigmoid([0.0]).numpy()
        array([0.5], dtype=float32)
    """
    return ops.sigmoid(x)


def exponential(x) -> Tensor:
    """y = exp(x)."""
    return ops.exp(as_float(x, "exponential"))


def hard_sigmoid(x) -> Tensor:
    """y = clip(x / 6 + 1/2, 0, 1) (Keras 3; Keras 2 used x / 5)."""
    return ops.hard_sigmoid(x)


def hard_silu(x) -> Tensor:
    """Hard swish: y = x * relu6(x + 3) / 6, i.e. 0 below -3, x above 3.

    Example:
        >>> from baro import activations
        >>> activations.hard_silu([0.0, 3.0, 5.0]).numpy()
        array([0., 3., 5.], dtype=float32)
    """
    x = as_float(x, "hard_silu")
    return x * ops.relu6(x + 3.0) / 6.0


hard_swish = hard_silu


def hard_tanh(x) -> Tensor:
    """y = clip(x, -1, 1)."""
    return ops.clip(as_float(x, "hard_tanh"), -1.0, 1.0)


def linear(x):
    """The identity: returns `x` unmodified (what `activation=None` means)."""
    return x


def mish(x) -> Tensor:
    """y = x * tanh(softplus(x)) (Misra, 2019)."""
    x = as_float(x, "mish")
    return x * ops.tanh(ops.softplus(x))


def log_sigmoid(x) -> Tensor:
    """y = log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -ops.softplus(-as_float(x, "log_sigmoid"))


def softmax(x, axis: int | tuple[int, ...] = -1) -> Tensor:
    """y = exp(x) / sum(exp(x)) along `axis` (shifted by the max: stable).

    Rank-1 inputs are fine (Keras 3 dropped Keras 2's "1D" error).

    Args:
        x: Input tensor.
        axis: An axis or a tuple of axes normalized together (default -1).

    Example:
        >>> from baro import activations
        >>> activations.softmax([0.0, 0.0]).numpy()
        array([0.5, 0.5], dtype=float32)
    """
    x = as_float(x, "softmax")
    if isinstance(axis, (tuple, list)):
        return ops.exp(log_softmax(x, axis))
    return ops.softmax(x, axis)


def log_softmax(x, axis: int | tuple[int, ...] = -1) -> Tensor:
    """y = x - log(sum(exp(x))) along `axis`, without forming softmax.

    Args:
        x: Input tensor.
        axis: An axis or a tuple of axes (default -1).
    """
    x = as_float(x, "log_softmax")
    if isinstance(axis, (tuple, list)):
        axis = tuple(axis)
        # Shift by the max first, as the single-axis op does: x - logsumexp(x)
        # would lose float32 digits at large x. The shift cancels in the
        # result, so no gradient needs to flow through it.
        z = x - ops.stop_gradient(ops.max(x, axis=axis, keepdims=True))
        return z - ops.logsumexp(z, axis=axis, keepdims=True)
    return ops.log_softmax(x, axis)


def hard_shrink(x, threshold: float = 0.5) -> Tensor:
    """y = x if |x| > threshold else 0.

    Args:
        x: Input tensor.
        threshold: Half-width of the zeroed band (default 0.5).
    """
    x = as_float(x, "hard_shrink")
    return x * ops.cast(ops.greater(ops.abs(x), threshold), x.dtype)


def soft_shrink(x, threshold: float = 0.5) -> Tensor:
    """y = x - threshold above it, x + threshold below -threshold, else 0;
    computed as relu(x - t) - relu(-x - t).

    Args:
        x: Input tensor.
        threshold: Half-width of the zeroed band (default 0.5).
    """
    x = as_float(x, "soft_shrink")
    return ops.relu(x - threshold) - ops.relu(-x - threshold)


def tanh_shrink(x) -> Tensor:
    """y = x - tanh(x)."""
    x = as_float(x, "tanh_shrink")
    return x - ops.tanh(x)


def squareplus(x, b: float = 4) -> Tensor:
    """y = (x + sqrt(x^2 + b)) / 2 (Barron, 2021).

    Args:
        x: Input tensor.
        b: Smoothness, must be >= 0 (default 4).

    Raises:
        ValueError: If `b` is negative.
    """
    if b < 0:
        raise ValueError(f"squareplus: b must be >= 0, received {b}.")
    x = as_float(x, "squareplus")
    return (x + ops.sqrt(ops.square(x) + float(b))) / 2.0


def sparse_plus(x) -> Tensor:
    """y = 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1;
    computed as (clip(x, -1, 1) + 1)^2 / 4 + relu(x - 1)."""
    x = as_float(x, "sparse_plus")
    return 0.25 * ops.square(ops.clip(x, -1.0, 1.0) + 1.0) + ops.relu(x - 1.0)


def sparse_sigmoid(x) -> Tensor:
    """y = 0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1."""
    return 0.5 * (ops.clip(as_float(x, "sparse_sigmoid"), -1.0, 1.0) + 1.0)


def threshold(x, threshold: float, default_value: float) -> Tensor:
    """y = x if x > threshold else default_value.

    Args:
        x: Input tensor.
        threshold: Values at or below it are replaced.
        default_value: The replacement.
    """
    x = as_float(x, "threshold")
    return ops.where(ops.greater(x, threshold), x, float(default_value))


def glu(x, axis: int = -1) -> Tensor:
    """Gated linear unit: split x in halves a, b along `axis`; y = a * sigmoid(b).

    Args:
        x: Input tensor; its size along `axis` must be even.
        axis: The axis to split (default -1).

    Raises:
        ValueError: If the size along `axis` is odd.
    """
    x = as_float(x, "glu")
    (axis,) = normalize_axis(axis, x.ndim, "glu")
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: the input of shape {x.shape} has odd size {x.shape[axis]} "
            f"along axis {axis}; it must be even to split in halves.")
    a, b = ops.split(x, 2, axis=axis)
    return a * ops.sigmoid(b)
