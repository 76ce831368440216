"""Regression losses: squared, absolute, percentage, log, Huber, log-cosh, cosine.

Each function returns one loss per sample (the mean over the last axis, as in
Keras) and is composed from baro ops, so its gradient comes for free.
"""

from __future__ import annotations

import math

from baro import ops
from baro.backend.config import epsilon
from baro.core.tensor import Tensor
from baro.losses.loss import LossFunctionWrapper, match_inputs
from baro.saving.registry import register_serializable


def mean_squared_error(y_true, y_pred) -> Tensor:
    """Mean squared error over the last axis: mean((y_true - y_pred)**2, -1).

    Args:
        y_true: Targets, shape (batch, ..., d).
        y_pred: Predictions, same shape (a trailing size-1 axis may differ).

    Returns:
        Per-sample losses, shape (batch, ...).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.mean_squared_error([[0.0, 2.0]], [[1.0, 1.0]]).numpy()
        array([1.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Mean absolute error over the last axis: mean(|y_true - y_pred|, -1).

    Args:
        y_true: Targets, shape (batch, ..., d).
        y_pred: Predictions, same shape (a trailing size-1 axis may differ).

    Returns:
        Per-sample losses, shape (batch, ...).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.mean_absolute_error([[0.0, 2.0]], [[1.0, 1.0]]).numpy()
        array([1.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), -1).

    The divisor is floored at `backend.epsilon()` (1e-7) so zero targets give a
    large but finite loss.

    Args:
        y_true: Targets.
        y_pred: Predictions.

    Returns:
        Per-sample losses (in percent), shape (batch, ...).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]]).numpy()
        array([37.5], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "mean_absolute_percentage_error")
    scale = ops.maximum(ops.abs(y_true), epsilon())
    return 100.0 * ops.mean(ops.abs((y_true - y_pred) / scale), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))**2, -1).

    Values below `epsilon()` are floored there, so negative inputs are safe.

    Args:
        y_true: Targets.
        y_pred: Predictions.

    Returns:
        Per-sample losses, shape (batch, ...).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> import math
        >>> from baro import losses
        >>> loss = losses.mean_squared_logarithmic_error([[0.0]], [[math.e - 1]])
        >>> round(float(loss[0]), 5)
        1.0
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "mean_squared_logarithmic_error")
    first = ops.log(ops.maximum(y_pred, epsilon()) + 1.0)
    second = ops.log(ops.maximum(y_true, epsilon()) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Huber loss: quadratic for small errors, linear for large ones.

    With e = y_pred - y_true: 0.5 * e**2 where |e| <= delta, else
    delta * |e| - 0.5 * delta**2; then the mean over the last axis.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        delta: Where the loss turns from quadratic to linear (default 1.0).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.huber([[0.0, 0.0]], [[0.5, 3.0]]).numpy()
        array([1.3125], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "huber")
    delta = float(delta)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred) -> Tensor:
    """mean(log(cosh(y_pred - y_true)), -1), like MSE for small errors and like
    MAE for large ones.

    Computed as x + softplus(-2 x) - log(2), which never overflows.

    Args:
        y_true: Targets.
        y_pred: Predictions.

    Returns:
        Per-sample losses, shape (batch, ...).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
        >>> losses.log_cosh(y_true, [[1.0, 1.0], [0.0, 0.0]]).numpy().round(4)
        array([0.2169, 0.    ], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(-2.0 * x) - math.log(2.0), axis=-1)


def l2_normalize(x: Tensor, axis: int = -1) -> Tensor:
    """x / max(||x||, epsilon) along `axis` (`keras.ops.normalize`).

    Written as x * rsqrt(max(sum(x**2), epsilon**2)), so a zero vector maps to
    zero with a zero (not NaN) gradient.
    """
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, epsilon() ** 2))


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """Negative cosine similarity: -sum(l2_normalize(y_true) * l2_normalize(y_pred)).

    In [-1, 1]; -1 means the vectors point the same way, so minimizing it
    maximizes the similarity. A zero vector gives 0.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        axis: The feature axis the similarity is computed along (default -1).

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.cosine_similarity([[0.0, 1.0], [1.0, 1.0]],
        ...                          [[1.0, 0.0], [1.0, 1.0]]).numpy().round(4)
        array([-0., -1.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "cosine_similarity")
    products = l2_normalize(y_true, axis) * l2_normalize(y_pred, axis)
    return -ops.sum(products, axis=axis)


_REDUCTION = "sum_over_batch_size"


@register_serializable()
class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors; class form of `mean_squared_error`.

    Args:
        reduction: See `Loss` (default "sum_over_batch_size").
        name: Default "mean_squared_error".
        dtype: See `Loss`.

    Example:
        >>> from baro import losses
        >>> float(losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    def __init__(self, reduction=_REDUCTION, name="mean_squared_error",
                 dtype=None) -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name,
                         dtype=dtype)


@register_serializable()
class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors; class form of `mean_absolute_error`.

    Example:
        >>> from baro import losses
        >>> float(losses.MeanAbsoluteError()([[0.0, 1.0]], [[2.0, 1.0]]))
        1.0
    """

    def __init__(self, reduction=_REDUCTION, name="mean_absolute_error",
                 dtype=None) -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name,
                         dtype=dtype)


@register_serializable()
class MeanAbsolutePercentageError(LossFunctionWrapper):
    """Class form of `mean_absolute_percentage_error`.

    Example:
        >>> from baro import losses
        >>> float(losses.MeanAbsolutePercentageError()([[2.0]], [[1.0]]))
        50.0
    """

    def __init__(self, reduction=_REDUCTION,
                 name="mean_absolute_percentage_error", dtype=None) -> None:
        super().__init__(mean_absolute_percentage_error, reduction=reduction,
                         name=name, dtype=dtype)


@register_serializable()
class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Class form of `mean_squared_logarithmic_error`.

    Example:
        >>> from baro import losses
        >>> float(losses.MeanSquaredLogarithmicError()([[0.0]], [[0.0]]))
        0.0
    """

    def __init__(self, reduction=_REDUCTION,
                 name="mean_squared_logarithmic_error", dtype=None) -> None:
        super().__init__(mean_squared_logarithmic_error, reduction=reduction,
                         name=name, dtype=dtype)


@register_serializable()
class Huber(LossFunctionWrapper):
    """Huber loss; class form of `huber`.

    Args:
        delta: Where the loss turns from quadratic to linear (default 1.0).
        reduction: See `Loss`.
        name: Default "huber_loss".
        dtype: See `Loss`.

    Raises:
        ValueError: If delta is negative.

    Example:
        >>> from baro import losses
        >>> float(losses.Huber(delta=2.0)([[0.0]], [[3.0]]))
        4.0
    """

    def __init__(self, delta: float = 1.0, reduction=_REDUCTION,
                 name="huber_loss", dtype=None) -> None:
        if delta < 0:
            raise ValueError(f"Huber: delta must be >= 0, received {delta}.")
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype,
                         delta=delta)


@register_serializable()
class LogCosh(LossFunctionWrapper):
    """Class form of `log_cosh`.

    Example:
        >>> from baro import losses
        >>> round(float(losses.LogCosh()([[0.0]], [[1.0]])), 5)
        0.43378
    """

    def __init__(self, reduction=_REDUCTION, name="log_cosh", dtype=None) -> None:
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


@register_serializable()
class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity; class form of `cosine_similarity`.

    Args:
        axis: The feature axis (default -1).
        reduction: See `Loss`.
        name: Default "cosine_similarity".
        dtype: See `Loss`.

    Example:
        >>> from baro import losses
        >>> float(losses.CosineSimilarity()([[1.0, 0.0]], [[2.0, 0.0]]))
        -1.0
    """

    def __init__(self, axis: int = -1, reduction=_REDUCTION,
                 name="cosine_similarity", dtype=None) -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name,
                         dtype=dtype, axis=axis)
