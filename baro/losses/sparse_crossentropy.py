"""Sparse categorical cross-entropy: integer class labels instead of one-hot.

The labels are checked and converted by an op (`SparseLabels`), so a traced
training step recomputes them for every batch; the loss itself shares the
clipped and fused paths of `crossentropy.py` (see its module docstring).
"""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.arrays import convert_to_array, to_numpy
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.losses.crossentropy import _log_clipped, _logits_behind
from baro.losses.loss import LossFunctionWrapper, to_float_tensor
from baro.ops.activation import Softmax
from baro.saving.registry import register_serializable

_REDUCTION = "sum_over_batch_size"


class SparseLabels(Function):
    """Integer class ids from y_true, checked against y_pred's classes.

    An op (not differentiable) rather than Python on the labels' values, so a
    traced training step recomputes the ids for every batch.
    """

    differentiable = False

    def __init__(self, pred_shape: tuple, axis: int, ignore_class) -> None:
        self.pred_shape, self.axis, self.ignore_class = pred_shape, axis, ignore_class

    def forward(self, labels):
        name = "sparse_categorical_crossentropy"
        pred_shape, axis = self.pred_shape, self.axis
        if labels.ndim == len(pred_shape) and labels.shape[-1:] == (1,):
            labels = labels[..., 0]
        sample_shape = pred_shape[:axis] + pred_shape[axis + 1:]
        if labels.shape != sample_shape:
            hint = (" They look one-hot: use categorical_crossentropy, or pass "
                    "argmax(y_true, axis=-1).") if labels.shape == pred_shape else ""
            raise ValueError(
                f"{name}: y_true has shape {labels.shape} and y_pred has shape "
                f"{pred_shape}; integer labels must have shape {sample_shape} "
                f"(or {sample_shape + (1,)}).{hint}")
        values = to_numpy(labels)
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)
                                                   & (values == np.round(values))):
            raise ValueError(
                f"{name}: y_true must hold integer class ids, received non-integer "
                "values. For probability labels use categorical_crossentropy.")
        num_classes = pred_shape[axis]
        checked = values if self.ignore_class is None else \
            values[values != self.ignore_class]
        if checked.size and (checked.min() < 0 or checked.max() >= num_classes):
            raise ValueError(
                f"{name}: labels must lie in [0, {num_classes}) for {num_classes} "
                f"classes (y_pred shape {pred_shape}); received values from "
                f"{int(checked.min())} to {int(checked.max())}. Check the number "
                "of output units, or pass ignore_class for a padding label.")
        return labels.astype(np.int64)


def _sparse_labels(y_true, y_pred, axis, ignore_class) -> Tensor:
    """Integer labels of y_pred's shape without `axis`, checked for range."""
    y_true = y_true if isinstance(y_true, Tensor) else \
        Tensor._wrap(convert_to_array(np.asarray(y_true)))
    return SparseLabels(y_pred.shape, axis, ignore_class).apply(y_true)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None,
                                    axis: int = -1) -> Tensor:
    """Cross-entropy with integer class labels: -log(p[label]) per sample.

    p is clip(y_pred / sum(y_pred, axis), eps, 1 - eps) for probabilities, or the
    fused stable log-softmax for logits (also when y_pred comes straight from a
    recorded softmax along `axis`: see the module). Samples labelled
    `ignore_class` get a loss of 0 (and the `SparseCategoricalCrossentropy`
    class leaves them out of its mean).

    Args:
        y_true: Integer labels, shape y_pred.shape without `axis` (a trailing
            size-1 axis is allowed).
        y_pred: Probabilities, or logits when `from_logits`.
        from_logits: Whether y_pred holds logits (default False).
        ignore_class: Optional label to ignore, e.g. a padding id (default None).
        axis: The class axis (default -1).

    Returns:
        Per-sample losses: y_pred's shape without `axis`.

    Raises:
        ValueError: If the labels have the wrong shape, are not integers, or lie
            outside [0, num_classes).

    Example:
        >>> from baro import losses
        >>> losses.sparse_categorical_crossentropy(
        ...     [1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]).numpy().round(4)
        array([0.0513, 2.3026], dtype=float32)
    """
    y_pred = to_float_tensor(y_pred)
    axis = axis % y_pred.ndim
    labels = _sparse_labels(y_true, y_pred, axis, ignore_class)
    valid = None if ignore_class is None else ops.not_equal(labels, ignore_class)
    if valid is not None:
        labels = ops.where(valid, labels, 0)
    logits = y_pred if from_logits else _logits_behind(y_pred, Softmax, axis)
    if logits is not None:
        losses = ops.softmax_cross_entropy(labels, logits, axis=axis)
    else:
        probs = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
        picked = ops.take_along_axis(
            _log_clipped(probs), ops.expand_dims(labels, axis), axis=axis)
        losses = -ops.squeeze(picked, axis=axis)
    if valid is not None:
        losses = ops.where(valid, losses, 0.0)
    return losses


@register_serializable()
class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer labels; class form of
    `sparse_categorical_crossentropy`.

    With `ignore_class`, ignored samples count neither in the sum nor in the
    mean's divisor (Keras masks them).

    Args:
        from_logits, ignore_class: As in `sparse_categorical_crossentropy`
            (defaults False, None).
        reduction, name, dtype: See `Loss`; name defaults to
            "sparse_categorical_crossentropy".

    Example:
        >>> from baro import losses
        >>> scce = losses.SparseCategoricalCrossentropy()
        >>> round(float(scce([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 3)
        1.177
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction=_REDUCTION, name="sparse_categorical_crossentropy",
                 dtype=None) -> None:
        super().__init__(sparse_categorical_crossentropy, reduction=reduction,
                         name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class)
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def _mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        labels = _sparse_labels(y_true, y_pred, y_pred.ndim - 1,
                                self.ignore_class)
        return labels.data != self.ignore_class
