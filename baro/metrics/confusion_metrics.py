"""Confusion-matrix metrics: Precision, Recall and AUC.

Every prediction is compared with each threshold t: predicted positive when
y_pred > t (strictly), actually positive when y_true != 0. The metrics sum the
sample weights of true/false positives/negatives per threshold, as Keras's
`update_confusion_matrix_variables` does; evenly spaced thresholds (AUC's
default grid) use Keras's bucketing, so counts match Keras exactly.
"""

from __future__ import annotations

import numpy as np

from baro.backend.config import epsilon
from baro.core.tensor import Tensor
from baro.losses.loss import squeeze_or_expand_to_same_rank
from baro.metrics.metric import Metric, to_array
from baro.saving.registry import register_serializable

# Keras's stand-in for -inf: the threshold used with top_k, and the score given
# to predictions outside the top k.
NEG_INF = -1e10
_CURVES = {"roc": "ROC", "pr": "PR"}
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _parse_thresholds(thresholds, default, owner):
    if thresholds is None:
        return [default]
    values = (list(np.ravel(thresholds))
              if isinstance(thresholds, (list, tuple, np.ndarray))
              else [thresholds])
    bad = [t for t in values if t is None or not 0.0 <= t <= 1.0]
    if bad:
        raise ValueError(
            f"{owner}: threshold values must be in [0, 1], received {bad}.")
    return [float(t) for t in values]


def _evenly_distributed(thresholds) -> bool:
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=epsilon()))


def _divide_no_nan(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


def _filter_top_k(y_pred, k):
    """Keeps the k largest scores of the last axis (ties: lower index first, as
    `top_k`), the others become NEG_INF."""
    top = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(y_pred.shape, dtype=y_pred.dtype)
    np.put_along_axis(keep, top, 1, axis=-1)
    return y_pred * keep + NEG_INF * (1 - keep)


def _counts(positive, scores, weights, thresholds, evenly):
    """Weighted (tp, fp, tn, fn) per threshold for flat arrays."""
    pos = np.where(positive, weights, 0).astype(np.float64)
    neg = np.where(positive, 0, weights).astype(np.float64)
    n = len(thresholds)
    if evenly:
        # Keras's bucketing: score p lies above threshold i iff
        # ceil(p (n - 1)) - 1 >= i; endpoints below 0 / above 1 catch p = 0, 1.
        with_eps = thresholds[0] < 0 or thresholds[-1] > 1
        valid = ~np.isnan(scores)
        p = np.clip(scores[valid], 0, 1)
        bucket = np.ceil(p * p.dtype.type(n - 1)) - 1
        if with_eps:
            bucket = np.maximum(bucket, 0)
        bucket = bucket.astype(np.int64)
        keep = bucket >= 0
        above_pos = np.bincount(bucket[keep], pos[valid][keep], minlength=n)
        above_neg = np.bincount(bucket[keep], neg[valid][keep], minlength=n)
        tp = np.cumsum(above_pos[::-1])[::-1]
        fp = np.cumsum(above_neg[::-1])[::-1]
    else:
        scores = np.where(np.isnan(scores), -np.inf, scores)
        order = np.argsort(scores, kind="stable")
        # How many scores are <= each threshold: everything after is positive.
        below = np.searchsorted(scores[order], thresholds.astype(scores.dtype),
                                side="right")
        cum_pos = np.concatenate([[0.0], np.cumsum(pos[order])])
        cum_neg = np.concatenate([[0.0], np.cumsum(neg[order])])
        tp = cum_pos[-1] - cum_pos[below]
        fp = cum_neg[-1] - cum_neg[below]
    return tp, fp, neg.sum() - fp, pos.sum() - tp


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, *,
                     top_k=None, class_id=None, multi_label=False,
                     label_weights=None, dtype="float32", name="metric"):
    """Weighted true/false positives/negatives of one batch, per threshold.

    Args:
        y_true: Labels, any value != 0 is positive; y_pred's shape.
        y_pred: Scores, compared with `y_pred > threshold`.
        thresholds: Sorted list of thresholds.
        sample_weight: None, one weight per sample (batch,), or weights that
            broadcast to y_pred.
        top_k: Keep only the k highest scores per sample (others NEG_INF).
        class_id: Count only this class (last axis index).
        multi_label: Count each label (column of a (batch, labels) y_pred)
            separately instead of flattening.
        label_weights: Per-label weights of flattened counts.
        dtype: Dtype the inputs are compared in.
        name: Metric name for error messages.

    Returns:
        (tp, fp, tn, fn), each of shape (thresholds,), or (thresholds, labels)
        with `multi_label`.

    Raises:
        ValueError: For mismatched shapes or a class_id out of range.
    """
    y_true = to_array(y_true, dtype)
    y_pred = to_array(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true has shape {y_true.shape} and y_pred has shape "
            f"{y_pred.shape}; they must match (one score per label).")
    weights = np.ones(y_pred.shape, dtype)
    if sample_weight is not None:
        w = to_array(sample_weight, dtype)[..., None]
        _, w = squeeze_or_expand_to_same_rank(y_true, w, expand_rank_1=False)
        try:
            weights = np.broadcast_to(w, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"{name}: sample_weight has shape {np.shape(sample_weight)}, "
                f"which does not broadcast to y_pred's shape {y_pred.shape}. "
                "Pass one weight per sample.") from None
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, int(top_k))
    if class_id is not None:
        if y_pred.ndim < 2 or not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError(
                f"{name}: class_id={class_id} needs y_pred of shape (batch, "
                f"num_classes) with class_id < num_classes; received y_pred "
                f"shape {y_pred.shape}.")
        y_true = y_true[..., class_id]
        y_pred = y_pred[..., class_id]
        weights = weights[..., class_id]
    if label_weights is not None and not multi_label:
        weights = weights * np.broadcast_to(label_weights, y_pred.shape)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    evenly = _evenly_distributed(np.clip(thresholds, 0, 1))
    positive = y_true != 0
    if not multi_label:
        return _counts(positive.ravel(), y_pred.ravel(), weights.ravel(),
                       thresholds, evenly)
    if y_pred.ndim != 2:
        raise ValueError(
            f"{name}: multi_label needs y_pred of shape (batch, labels), "
            f"received shape {y_pred.shape}.")
    columns = [_counts(positive[:, j], y_pred[:, j], weights[:, j], thresholds,
                       evenly) for j in range(y_pred.shape[1])]
    return tuple(np.stack(parts, axis=1) for parts in zip(*columns, strict=True))


class _ThresholdMetric(Metric):
    """Precision and Recall: tp and one other count per threshold."""

    _other = ""

    def __init__(self, thresholds=None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None,
                 dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _parse_thresholds(thresholds, default, owner)
        self.init_thresholds = (None if thresholds is None else
                                self.thresholds if np.ndim(thresholds)
                                else self.thresholds[0])
        self.top_k = top_k
        self.class_id = class_id
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        self.other = self.add_variable((n,), name=self._other)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        tp, fp, _, fn = confusion_counts(
            y_true, y_pred, self.thresholds, sample_weight, top_k=self.top_k,
            class_id=self.class_id, dtype=self.dtype, name=self.name)
        self.true_positives.assign_add(tp.astype(self.dtype))
        other = fp if self._other == "false_positives" else fn
        self.other.assign_add(other.astype(self.dtype))

    def result(self) -> Tensor:
        tp = self.true_positives.data
        value = _divide_no_nan(tp, tp + self.other.data)
        return self._tensor(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


@register_serializable()
class Precision(_ThresholdMetric):
    """Precision tp / (tp + fp): how many predicted positives are right.

    Args:
        thresholds: A float or list of floats in [0, 1]; one result per
            threshold (default 0.5, or no threshold when `top_k` is set).
        top_k: Count only the k highest scores of each sample as predicted.
        class_id: Compute the metric for this class only.
        name: Default "precision".
        dtype: See `Metric`.

    Raises:
        ValueError: For thresholds outside [0, 1].

    Example:
        >>> from baro import metrics
        >>> m = metrics.Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _other = "false_positives"

    @property
    def false_positives(self):
        """The weighted false-positive count per threshold."""
        return self.other


@register_serializable()
class Recall(_ThresholdMetric):
    """Recall tp / (tp + fn): how many actual positives are found.

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5).
        top_k: Count only the k highest scores of each sample as predicted.
        class_id: Compute the metric for this class only.
        name: Default "recall".
        dtype: See `Metric`.

    Raises:
        ValueError: For thresholds outside [0, 1].

    Example:
        >>> from baro import metrics
        >>> m = metrics.Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
        >>> float(m.result())
        1.0
    """

    _other = "false_negatives"

    @property
    def false_negatives(self):
        """The weighted false-negative count per threshold."""
        return self.other


@register_serializable()
class AUC(Metric):
    """Area under the ROC or precision-recall curve, on a grid of thresholds.

    Counts tp, fp, tn, fn at `num_thresholds` thresholds: (num_thresholds - 2)
    evenly spaced in (0, 1) plus -epsilon and 1 + epsilon. For ROC, x is the
    false-positive rate fp / (fp + tn) and y the recall tp / (tp + fn); the
    area is sum_i (x_i - x_{i+1}) h_i with h_i = (y_i + y_{i+1}) / 2
    ("interpolation", the trapezoid rule), min(y_i, y_{i+1}) ("minoring") or
    max ("majoring"). PR with "interpolation" integrates precision while tp and
    tp + fp vary linearly between thresholds (Davis & Goadrich, 2006).

    Args:
        num_thresholds: Grid size, > 1 (default 200).
        curve: "ROC" (default) or "PR".
        summation_method: "interpolation" (default), "minoring" or "majoring".
        name: Default "auc".
        dtype: See `Metric`.
        thresholds: Optional list of thresholds in [0, 1] used instead of the
            grid (the two end points are added).
        multi_label: Compute one AUC per label (column) and average them,
            instead of flattening (default False).
        num_labels: Number of labels with `multi_label` (else found on the
            first update).
        label_weights: Per-label weights: of the average with `multi_label`,
            of each flattened prediction otherwise.
        from_logits: Apply a sigmoid to y_pred first (default False).

    Raises:
        ValueError: For an unknown curve or summation method, num_thresholds
            < 2, thresholds outside [0, 1], or num_labels without multi_label.

    Example:
        >>> from baro import metrics
        >>> m = metrics.AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype=None, thresholds=None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights=None,
                 from_logits: bool = False) -> None:
        if str(curve).lower() not in _CURVES:
            raise ValueError(
                f"AUC: curve must be 'ROC' or 'PR', received {curve!r}.")
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(
                f"AUC: summation_method must be one of {_SUMMATIONS}, received "
                f"{summation_method!r}.")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            grid = sorted(_parse_thresholds(thresholds, None, "AUC"))
            self.num_thresholds = len(grid) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"AUC: num_thresholds must be an integer > 1, received "
                    f"{num_thresholds}.")
            self.num_thresholds = int(num_thresholds)
            grid = [(i + 1) / (num_thresholds - 1)
                    for i in range(num_thresholds - 2)]
        # End points just outside [0, 1] so scores of exactly 0 or 1 fall inside.
        self._thresholds = [0.0 - epsilon()] + grid + [1.0 + epsilon()]
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        if num_labels and not multi_label:
            raise ValueError("AUC: num_labels is needed only when multi_label=True.")
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else to_array(label_weights, self.dtype))
        self.from_logits = bool(from_logits)
        self._built = False
        if not self.multi_label or num_labels:
            self._build(num_labels)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, end points included."""
        return list(self._thresholds)

    def _build(self, num_labels) -> None:
        shape = (self.num_thresholds,)
        if self.multi_label:
            shape += (int(num_labels),)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_array(y_pred, self.dtype)
        if not self._built:
            if y_pred.ndim != 2:
                raise ValueError(
                    f"{self.name}: y_pred must have rank 2 (batch, labels) when "
                    f"multi_label=True, received shape {y_pred.shape}.")
            self._build(y_pred.shape[1])
        if self.from_logits:
            with np.errstate(over="ignore"):
                y_pred = 1 / (1 + np.exp(-y_pred))
        counts = confusion_counts(
            y_true, y_pred, self._thresholds, sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            dtype=self.dtype, name=self.name)
        for variable, count in zip(
                (self.true_positives, self.false_positives, self.true_negatives,
                 self.false_negatives), counts, strict=True):
            if variable.shape != count.shape:
                raise ValueError(
                    f"{self.name}: this AUC counts {variable.shape[1]} labels, "
                    f"received y_pred with {count.shape[1]}.")
            variable.assign_add(count.astype(self.dtype))

    def _average(self, per_threshold):
        """Sums over thresholds; with multi_label, averages the label AUCs."""
        auc = per_threshold.sum(axis=0)
        if not self.multi_label:
            return auc
        if self.label_weights is None:
            return auc.mean()
        return _divide_no_nan((auc * self.label_weights).sum(),
                              self.label_weights.sum())

    def _interpolate_pr_auc(self, tp, fp, fn):
        # Precision = tp / p with tp and p = tp + fp linear between thresholds
        # A > B: the area is slope * (dtp + intercept * log(p_A / p_B)) / positives.
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        area = _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                              np.maximum(tp[1:] + fn[1:], 0))
        return self._average(area)

    def result(self) -> Tensor:
        if not self._built:
            return self._tensor(0.0)
        tp, fp, tn, fn = (v.data.astype(np.float64) for v in (
            self.true_positives, self.false_positives, self.true_negatives,
            self.false_negatives))
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._tensor(self._interpolate_pr_auc(tp, fp, fn))
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._tensor(self._average((x[:-1] - x[1:]) * heights))

    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": (None if self.label_weights is None
                              else self.label_weights.tolist()),
            "from_logits": self.from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        return config
