"""F-scores: FBetaScore and F1Score, per class or averaged (micro, macro, weighted).

Per class, with precision P = tp / (tp + fp + eps) and recall
R = tp / (tp + fn + eps) (eps = `backend.epsilon()`):

    F_beta = (1 + beta**2) * P * R / (beta**2 * P + R + eps)

"micro" pools the counts of all classes first, "macro" averages the per-class
scores, "weighted" averages them weighted by each class's (weighted) support.
"""

from __future__ import annotations

import numpy as np

from baro.backend.config import epsilon
from baro.core.tensor import Tensor
from baro.metrics.metric import Metric, to_array
from baro.saving.registry import register_serializable

_AVERAGES = (None, "micro", "macro", "weighted")


@register_serializable()
class FBetaScore(Metric):
    """F-beta score of multi-label or one-hot classification.

    A prediction counts as positive above `threshold`, or, when threshold is
    None, where it equals the sample's largest score (and is not ~0).

    Args:
        average: None (one score per class, default), "micro", "macro" or
            "weighted".
        beta: Weight of recall against precision, > 0 (default 1.0).
        threshold: Decision threshold in (0, 1], or None for the argmax rule.
        name: Default "fbeta_score".
        dtype: See `Metric`.

    Raises:
        ValueError: For an unknown average, beta <= 0 or a threshold outside
            (0, 1]; on update, for inputs that are not matching 2-D arrays.

    Example:
        >>> from baro import metrics
        >>> m = metrics.FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> m.result().numpy().round(3)
        array([0.385, 0.909, 0.833], dtype=float32)
    """

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score",
                 dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        if average not in _AVERAGES:
            raise ValueError(
                f"{owner}: average must be one of {_AVERAGES}, received "
                f"{average!r}.")
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) \
                or beta <= 0:
            raise ValueError(f"{owner}: beta must be a number > 0, received "
                             f"{beta!r}.")
        if threshold is not None and not 0.0 < threshold <= 1.0:
            raise ValueError(
                f"{owner}: threshold must satisfy 0 < threshold <= 1, received "
                f"{threshold!r}. Use None to pick each sample's top score.")
        self.average = average
        self.beta = float(beta)
        self.threshold = None if threshold is None else float(threshold)
        self._axis = None if average == "micro" else 0
        self._built = False

    def _build(self, num_classes: int) -> None:
        shape = () if self.average == "micro" else (num_classes,)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(
            shape, name="intermediate_weights")
        self._num_classes = num_classes
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = to_array(y_true, self.dtype)
        y_pred = to_array(y_pred, self.dtype)
        if y_true.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(
                f"{self.name}: expects y_true and y_pred of the same shape "
                f"(batch, num_classes); received y_true {y_true.shape} and "
                f"y_pred {y_pred.shape}. One-hot encode integer labels first.")
        if not self._built:
            self._build(y_pred.shape[1])
        elif y_pred.shape[1] != self._num_classes:
            raise ValueError(
                f"{self.name}: built for {self._num_classes} classes, received "
                f"y_pred of shape {y_pred.shape}.")
        if self.threshold is None:
            # The top score of each sample, but never an all-zero row.
            top = y_pred.max(axis=-1, keepdims=True)
            predicted = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(self.dtype)
        weights = 1.0
        if sample_weight is not None:
            weights = to_array(sample_weight, self.dtype).reshape(-1, 1)
        for variable, values in (
                (self.true_positives, predicted * y_true),
                (self.false_positives, predicted * (1 - y_true)),
                (self.false_negatives, (1 - predicted) * y_true),
                (self.intermediate_weights, y_true)):
            variable.assign_add((values * weights).sum(axis=self._axis,
                                                       dtype=self.dtype))

    def result(self) -> Tensor:
        if not self._built:
            return self._tensor(0.0)
        eps = epsilon()
        tp = self.true_positives.data.astype(np.float64)
        precision = tp / (tp + self.false_positives.data + eps)
        recall = tp / (tp + self.false_negatives.data + eps)
        beta2 = self.beta ** 2
        score = (1 + beta2) * precision * recall / (beta2 * precision + recall
                                                    + eps)
        if self.average == "weighted":
            support = self.intermediate_weights.data.astype(np.float64)
            score = (score * support / (support.sum() + eps)).sum()
        elif self.average is not None:
            score = score.mean()
        return self._tensor(score)

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


@register_serializable()
class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall (FBetaScore, beta=1).

    Args:
        average: None (per class, default), "micro", "macro" or "weighted".
        threshold: Decision threshold in (0, 1], or None for the argmax rule.
        name: Default "f1_score".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> m.result().numpy().round(3)
        array([0.5  , 0.8  , 0.667], dtype=float32)
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype=None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold,
                         name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
