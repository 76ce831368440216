"""Accuracy metrics: exact, binary, categorical, sparse and top-k accuracy.

Each function returns a 0/1 (floatx) match per sample; each class is the
weighted mean of its function over every batch seen.
"""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.config import floatx
from baro.core.tensor import Tensor
from baro.losses.loss import match_inputs
from baro.metrics.metric import to_array
from baro.metrics.reduction_metrics import MeanMetricWrapper
from baro.saving.registry import register_serializable


def _matches(hits) -> Tensor:
    return ops.convert_to_tensor(np.asarray(hits, dtype=floatx()))


def accuracy(y_true, y_pred) -> Tensor:
    """How often y_pred equals y_true exactly: mean(y_true == y_pred, -1).

    Args:
        y_true: Labels.
        y_pred: Predicted labels (a trailing size-1 axis may differ).

    Returns:
        Per-sample match rates, floatx.

    Example:
        >>> from baro import metrics
        >>> metrics.accuracy([[1], [2], [3]], [[0], [2], [3]]).numpy()
        array([0., 1., 1.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "accuracy")
    return ops.mean(_matches(y_true.data == y_pred.data), axis=-1)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """How often (y_pred > threshold) equals the 0/1 label, averaged over -1.

    Args:
        y_true: 0/1 labels.
        y_pred: Probabilities (a trailing size-1 axis may differ).
        threshold: A prediction above it counts as 1 (default 0.5).

    Returns:
        Per-sample match rates, floatx.

    Raises:
        ValueError: If the shapes cannot broadcast.

    Example:
        >>> from baro import metrics
        >>> metrics.binary_accuracy([[1], [1], [0], [0]],
        ...                         [[0.98], [1.0], [0.0], [0.6]]).numpy()
        array([1., 1., 1., 0.], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "binary_accuracy")
    predicted = (y_pred.data > threshold).astype(y_true.dtype)
    return ops.mean(_matches(y_true.data == predicted), axis=-1)


def _check_class_axis(name, y_true, y_pred, hint):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true has shape {y_true.shape} and y_pred has shape "
            f"{y_pred.shape}; they must match. {hint}")


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """How often argmax(y_pred, -1) equals argmax(y_true, -1) (one-hot labels).

    Args:
        y_true: One-hot labels (batch, ..., classes).
        y_pred: Scores of the same shape.

    Returns:
        0/1 per sample, floatx.

    Raises:
        ValueError: If the shapes differ (integer labels: use
            sparse_categorical_accuracy).

    Example:
        >>> from baro import metrics
        >>> metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]],
        ...                              [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).numpy()
        array([0., 1.], dtype=float32)
    """
    y_true = to_array(y_true)
    y_pred = to_array(y_pred)
    _check_class_axis("categorical_accuracy", y_true, y_pred,
                      "For integer labels use sparse_categorical_accuracy.")
    return _matches(np.argmax(y_true, -1) == np.argmax(y_pred, -1))


def _sparse_targets(name, y_true, y_pred):
    labels = to_array(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"{name}: y_true has shape {labels.shape} and y_pred has shape "
            f"{y_pred.shape}; integer labels must have shape {y_pred.shape[:-1]} "
            f"(or {y_pred.shape[:-1] + (1,)}). For one-hot labels use the "
            "non-sparse metric.")
    return labels


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """How often argmax(y_pred, -1) equals the integer label.

    Args:
        y_true: Integer labels, shape (batch,) or (batch, 1).
        y_pred: Scores (batch, classes).

    Returns:
        0/1 per sample, floatx.

    Raises:
        ValueError: If the label shape does not fit y_pred.

    Example:
        >>> from baro import metrics
        >>> metrics.sparse_categorical_accuracy(
        ...     [[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).numpy()
        array([0., 1.], dtype=float32)
    """
    y_pred = to_array(y_pred)
    labels = _sparse_targets("sparse_categorical_accuracy", y_true, y_pred)
    return _matches(labels == np.argmax(y_pred, -1))


def _in_top_k(labels, y_pred, k: int):
    """True where the label's score is at least the k-th largest score, so a tie
    at the boundary counts as a hit (TensorFlow's `in_top_k`)."""
    num_classes = y_pred.shape[-1]
    if k >= num_classes:
        return np.ones(labels.shape, dtype=bool)
    kth_largest = np.partition(y_pred, num_classes - k, axis=-1)[..., num_classes - k]
    target = np.take_along_axis(y_pred, labels[..., None].astype(np.int64), -1)
    return target[..., 0] >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """1 where the one-hot label's class is among the k highest predictions.

    A label tied with the k-th highest score counts as a hit (`in_top_k`).

    Args:
        y_true: One-hot labels (batch, classes).
        y_pred: Scores of the same shape.
        k: How many top predictions count (default 5).

    Returns:
        0/1 per sample, floatx.

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> from baro import metrics
        >>> metrics.top_k_categorical_accuracy(
        ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).numpy()
        array([0., 1.], dtype=float32)
    """
    y_true = to_array(y_true)
    y_pred = to_array(y_pred)
    _check_class_axis("top_k_categorical_accuracy", y_true, y_pred,
                      "For integer labels use sparse_top_k_categorical_accuracy.")
    return _matches(_in_top_k(np.argmax(y_true, -1), y_pred, int(k)))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5,
                                      from_sorted_ids: bool = False) -> Tensor:
    """1 where the integer label is among the k highest predictions.

    Args:
        y_true: Integer labels, shape (batch,) or (batch, 1).
        y_pred: Scores (batch, classes); or, with `from_sorted_ids`, class ids
            sorted by decreasing score (batch, >= k).
        k: How many top predictions count (default 5).
        from_sorted_ids: Whether y_pred already holds the sorted ids.

    Raises:
        ValueError: If the label shape does not fit y_pred.

    Example:
        >>> from baro import metrics
        >>> metrics.sparse_top_k_categorical_accuracy(
        ...     [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).numpy()
        array([0., 1.], dtype=float32)
    """
    y_pred = to_array(y_pred)
    labels = _sparse_targets("sparse_top_k_categorical_accuracy", y_true, y_pred)
    if from_sorted_ids:
        hits = (y_pred[..., : int(k)] == labels[..., None]).any(axis=-1)
    else:
        hits = _in_top_k(labels, y_pred, int(k))
    return _matches(hits)


def _check_threshold(owner, threshold):
    if not 0.0 < threshold < 1.0:
        raise ValueError(
            f"{owner}: threshold must be in (0, 1), received {threshold}.")


@register_serializable()
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (the mean of `accuracy`).

    Args:
        name: Default "accuracy".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]],
        ...                sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "accuracy", dtype=None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


@register_serializable()
class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match 0/1 labels.

    Args:
        name: Default "binary_accuracy".
        dtype: See `Metric`.
        threshold: A prediction above it counts as 1 (default 0.5).

    Raises:
        ValueError: If threshold is outside (0, 1).

    Example:
        >>> from baro import metrics
        >>> m = metrics.BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype=None,
                 threshold: float = 0.5) -> None:
        _check_threshold("BinaryAccuracy", threshold)
        super().__init__(binary_accuracy, name=name, dtype=dtype,
                         threshold=threshold)
        self.threshold = threshold


@register_serializable()
class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the one-hot label.

    Example:
        >>> from baro import metrics
        >>> m = metrics.CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8],
        ...                [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
        >>> round(float(m.result()), 4)
        0.3
    """

    def __init__(self, name: str = "categorical_accuracy", dtype=None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@register_serializable()
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the integer label.

    Example:
        >>> from baro import metrics
        >>> m = metrics.SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy",
                 dtype=None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


@register_serializable()
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the k highest predictions.

    Args:
        k: How many top predictions count (default 5).
        name: Default "top_k_categorical_accuracy".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.TopKCategoricalAccuracy(k=2)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        1.0
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy",
                 dtype=None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


@register_serializable()
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest predictions.

    Args:
        k: How many top predictions count (default 5).
        name: Default "sparse_top_k_categorical_accuracy".
        dtype: See `Metric`.
        from_sorted_ids: Whether y_pred holds class ids sorted by score.

    Example:
        >>> from baro import metrics
        >>> m = metrics.SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        ...                sample_weight=[0.7, 0.3])
        >>> round(float(m.result()), 4)
        0.3
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype=None, from_sorted_ids: bool = False) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=k, from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
