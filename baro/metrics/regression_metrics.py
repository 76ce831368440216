"""Regression metrics: the weighted means of the regression loss functions, plus
root mean squared error and (positive) cosine similarity."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.core.tensor import Tensor
from baro.losses.loss import match_inputs, squeeze_or_expand_to_same_rank
from baro.losses.regression import (
    l2_normalize,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from baro.metrics.metric import to_array
from baro.metrics.reduction_metrics import Mean, MeanMetricWrapper
from baro.saving.registry import register_serializable


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """Cosine similarity sum(l2_normalize(y_true) * l2_normalize(y_pred), axis);
    unlike the loss of the same name it is positive for aligned vectors.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        axis: The feature axis (default -1).

    Returns:
        Per-sample similarities in [-1, 1].

    Example:
        >>> from baro import metrics
        >>> metrics.cosine_similarity([[0.0, 1.0], [1.0, 1.0]],
        ...                           [[1.0, 0.0], [1.0, 1.0]]).numpy().round(4)
        array([0., 1.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "cosine_similarity")
    return ops.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis),
                   axis=axis)


@register_serializable()
class MeanSquaredError(MeanMetricWrapper):
    """Mean of `mean_squared_error` over all samples seen.

    Args:
        name: Default "mean_squared_error".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    def __init__(self, name: str = "mean_squared_error", dtype=None) -> None:
        super().__init__(mean_squared_error, name=name, dtype=dtype)


@register_serializable()
class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of `mean_absolute_error` over all samples seen.

    Example:
        >>> from baro import metrics
        >>> m = metrics.MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    def __init__(self, name: str = "mean_absolute_error", dtype=None) -> None:
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


@register_serializable()
class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean of `mean_absolute_percentage_error` over all samples seen.

    Example:
        >>> from baro import metrics
        >>> m = metrics.MeanAbsolutePercentageError()
        >>> m.update_state([[2.0], [4.0]], [[1.0], [5.0]])
        >>> float(m.result())
        37.5
    """

    def __init__(self, name: str = "mean_absolute_percentage_error",
                 dtype=None) -> None:
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


@register_serializable()
class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean of `mean_squared_logarithmic_error` over all samples seen.

    Example:
        >>> from baro import metrics
        >>> m = metrics.MeanSquaredLogarithmicError()
        >>> m.update_state([[0.0]], [[0.0]])
        >>> float(m.result())
        0.0
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error",
                 dtype=None) -> None:
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


@register_serializable()
class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean squared error over all samples seen.

    The squared errors are averaged per sample, weighted, accumulated, and the
    square root is taken of the running mean (not averaged per batch).

    Args:
        name: Default "root_mean_squared_error".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = to_array(y_true, self.dtype)
        y_pred = to_array(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        try:
            error_sq = np.square(y_pred - y_true)
        except ValueError:
            raise ValueError(
                f"{self.name}: y_true has shape {y_true.shape} and y_pred has "
                f"shape {y_pred.shape}; they must be equal or broadcastable."
            ) from None
        super().update_state(error_sq, sample_weight=sample_weight)

    def result(self) -> Tensor:
        return self._tensor(np.sqrt(super().result().data))


@register_serializable()
class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions.

    Args:
        name: Default "cosine_similarity".
        dtype: See `Metric`.
        axis: The feature axis (default -1).

    Example:
        >>> from baro import metrics
        >>> m = metrics.CosineSimilarity()
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(float(m.result()), 4)
        0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype=None,
                 axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


@register_serializable()
class LogCoshError(MeanMetricWrapper):
    """Mean of `log_cosh` over all samples seen.

    Args:
        name: Default "logcosh".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.LogCoshError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> round(float(m.result()), 4)
        0.1084
    """

    def __init__(self, name: str = "logcosh", dtype=None) -> None:
        super().__init__(log_cosh, name=name, dtype=dtype)
