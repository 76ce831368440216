"""Hinge losses for maximum-margin classifiers: hinge, squared hinge, categorical.

Binary labels may be given as -1/1 or as 0/1; 0/1 labels are mapped to -1/1
first (when every label is 0 or 1), as Keras does.
"""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.arrays import to_numpy
from baro.core.tensor import Tensor
from baro.losses.loss import LossFunctionWrapper, match_inputs
from baro.saving.registry import register_serializable

_REDUCTION = "sum_over_batch_size"


def _to_signed_labels(y_true: Tensor) -> Tensor:
    """2 y - 1 when all labels are 0 or 1; other labels are left as they are."""
    labels = to_numpy(y_true.data)
    if np.all((labels == 0) | (labels == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred) -> Tensor:
    """Hinge loss: mean(max(1 - y * y_pred, 0), -1), labels y in {-1, 1}.

    Args:
        y_true: Labels, -1/1 (or 0/1, converted).
        y_pred: Raw scores (not probabilities).

    Returns:
        Per-sample losses, shape y_pred.shape[:-1].

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.hinge([[0.0, 1.0]], [[-0.5, 0.25]]).numpy()
        array([0.625], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "hinge", align=False)
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    """Squared hinge loss: mean(max(1 - y * y_pred, 0)**2, -1), y in {-1, 1}.

    Args:
        y_true: Labels, -1/1 (or 0/1, converted).
        y_pred: Raw scores.

    Returns:
        Per-sample losses, shape y_pred.shape[:-1].

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.squared_hinge([[0.0, 1.0]], [[-0.5, 0.25]]).numpy()
        array([0.40625], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "squared_hinge", align=False)
    y_true = _to_signed_labels(y_true)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    """Multi-class hinge: max(neg - pos + 1, 0), with one-hot labels y.

    pos = sum(y * y_pred, -1) is the true class's score and
    neg = max((1 - y) * y_pred, -1) the best wrong class's score.

    Args:
        y_true: One-hot labels.
        y_pred: Raw class scores, same shape.

    Returns:
        Per-sample losses, shape y_pred.shape[:-1].

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.categorical_hinge([[0.0, 1.0, 0.0]], [[0.5, 0.8, 0.1]]).numpy()
        array([0.7], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "categorical_hinge",
                                  align=False)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


@register_serializable()
class Hinge(LossFunctionWrapper):
    """Hinge loss; class form of `hinge`.

    Args:
        reduction: See `Loss` (default "sum_over_batch_size").
        name: Default "hinge".
        dtype: See `Loss`.

    Example:
        >>> from baro import losses
        >>> float(losses.Hinge()([[1.0], [-1.0]], [[0.5], [0.5]]))
        1.0
    """

    def __init__(self, reduction=_REDUCTION, name="hinge", dtype=None) -> None:
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


@register_serializable()
class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss; class form of `squared_hinge`.

    Example:
        >>> from baro import losses
        >>> float(losses.SquaredHinge()([[1.0], [-1.0]], [[0.5], [0.5]]))
        1.25
    """

    def __init__(self, reduction=_REDUCTION, name="squared_hinge",
                 dtype=None) -> None:
        super().__init__(squared_hinge, reduction=reduction, name=name,
                         dtype=dtype)


@register_serializable()
class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss; class form of `categorical_hinge`.

    Example:
        >>> from baro import losses
        >>> float(losses.CategoricalHinge()([[0.0, 1.0]], [[0.0, 2.0]]))
        0.0
    """

    def __init__(self, reduction=_REDUCTION, name="categorical_hinge",
                 dtype=None) -> None:
        super().__init__(categorical_hinge, reduction=reduction, name=name,
                         dtype=dtype)
