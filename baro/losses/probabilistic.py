"""Probabilistic losses: KL divergence, Poisson, and the cross-entropies.

The cross-entropies live in `crossentropy.py` (binary, focal, categorical) and
`sparse_crossentropy.py` (integer labels); they are re-exported here, where
they were first defined, so `baro.losses.probabilistic.<name>` keeps working.
"""

from __future__ import annotations

from baro import ops
from baro.backend.config import epsilon
from baro.core.tensor import Tensor
from baro.losses.crossentropy import (  # noqa: F401  (re-exported)
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
)
from baro.losses.loss import LossFunctionWrapper, match_inputs
from baro.losses.sparse_crossentropy import (  # noqa: F401  (re-exported)
    SparseCategoricalCrossentropy,
    SparseLabels,
    sparse_categorical_crossentropy,
)
from baro.saving.registry import register_serializable

_REDUCTION = "sum_over_batch_size"


def kl_divergence(y_true, y_pred) -> Tensor:
    """Kullback-Leibler divergence: sum(y log(y / p), -1), y and p clipped to
    [epsilon, 1].

    Args:
        y_true: Target distributions over the last axis.
        y_pred: Predicted distributions.

    Returns:
        Per-sample divergences, shape y_pred.shape[:-1].

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import losses
        >>> losses.kl_divergence([[0.5, 0.5]], [[0.5, 0.5]]).numpy()
        array([0.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "kl_divergence", align=False)
    y_true = ops.clip(y_true, epsilon(), 1.0)
    y_pred = ops.clip(y_pred, epsilon(), 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred) -> Tensor:
    """Poisson negative log-likelihood (without the constant log(y!) term):
    mean(p - y log(p + epsilon), -1), for predicted rates p >= 0.

    Args:
        y_true: Observed counts y.
        y_pred: Predicted rates p.

    Returns:
        Per-sample losses, shape y_pred.shape[:-1].

    Raises:
        ValueError: If the shapes cannot broadcast, or y_pred < -epsilon.

    Example:
        >>> from baro import losses
        >>> losses.poisson([[0.0, 2.0]], [[1.0, 1.0]]).numpy().round(4)
        array([1.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "poisson", align=False)
    return ops.mean(y_pred - y_true * ops.log(y_pred + epsilon()), axis=-1)


@register_serializable()
class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence; class form of `kl_divergence`.

    Example:
        >>> from baro import losses
        >>> round(float(losses.KLDivergence()([[1.0, 0.0]], [[0.5, 0.5]])), 4)
        0.6931
    """

    def __init__(self, reduction=_REDUCTION, name="kl_divergence",
                 dtype=None) -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name,
                         dtype=dtype)


@register_serializable()
class Poisson(LossFunctionWrapper):
    """Poisson loss; class form of `poisson`.

    Example:
        >>> from baro import losses
        >>> float(losses.Poisson()([[0.0]], [[2.0]]))
        2.0
    """

    def __init__(self, reduction=_REDUCTION, name="poisson", dtype=None) -> None:
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
