"""Cross-entropies on probabilities or logits: binary, binary focal, categorical.

Probabilities are clipped to [eps, 1 - eps] (eps = `backend.epsilon()`) before
the log, as Keras does, so saturated outputs give large but finite losses;
logits go through the fused stable ops (`ops.softmax_cross_entropy`,
`ops.sigmoid_binary_cross_entropy`).

Probabilities that a softmax or sigmoid op has just computed, in a graph being
recorded for gradients (a training step), are traced back to their logits (the
op's input) and take the fused path too. Keras 3 does the same on TensorFlow,
where `ops.softmax`/`ops.sigmoid` leave `_keras_logits` on their output (its JAX
and PyTorch backends clip the probabilities). The result is one stable node
whose gradient is simply softmax - labels (sigmoid - labels), instead of a
clipped log differentiated back through the activation: on confidently wrong
samples the loss keeps growing past -log(eps) ~ 16.1, where the clipped form
stops, and its gradient does not vanish there. Elsewhere the two agree to
float32 rounding. Without recording (`evaluate`, metrics, `no_grad`) the
clipped form is used, so metrics agree between eager and compiled steps.
"""

from __future__ import annotations

import warnings

from baro import ops
from baro.backend.config import epsilon
from baro.core import grad_mode
from baro.core.tensor import Tensor
from baro.losses.loss import LossFunctionWrapper, match_inputs
from baro.ops.activation import Sigmoid, Softmax
from baro.saving.registry import register_serializable

_REDUCTION = "sum_over_batch_size"


def _check_same_shape(name, y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true has shape {y_true.shape} and y_pred has shape "
            f"{y_pred.shape}; they must match. Reshape y_true to {y_pred.shape}.")


def _check_fraction(owner, arg, value):
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{owner}: {arg} must be in [0, 1], received {value}.")


def _log_clipped(p):
    """log(clip(p, eps, 1 - eps)): large but finite for saturated probabilities."""
    return ops.log(ops.clip(p, epsilon(), 1.0 - epsilon()))


def _logits_behind(y_pred: Tensor, kind: type, axis: int | None = None):
    """The logits `y_pred` was computed from by a recorded `kind` (Softmax
    along `axis`, or Sigmoid) node, or None (see the module docstring)."""
    node = y_pred.creator
    if type(node) is not kind or not grad_mode.mode.enabled:
        return None
    inputs = node.inputs
    if type(inputs) is not tuple or (axis is not None and node.axis != axis):
        return None  # released by an earlier backward, or another axis
    return inputs[0]


def binary_crossentropy(y_true, y_pred, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Binary cross-entropy, averaged over `axis`.

    bce = -(y log p + (1 - y) log(1 - p)) with p = clip(y_pred, eps, 1 - eps),
    or, from logits z, the stable max(z, 0) - z y + log(1 + exp(-|z|)) (also
    when y_pred comes straight from a recorded sigmoid: see the module).
    Label smoothing squeezes labels towards 0.5: y (1 - s) + 0.5 s.

    Args:
        y_true: Labels in [0, 1], same shape as y_pred.
        y_pred: Probabilities, or logits when `from_logits`.
        from_logits: Whether y_pred holds logits (default False).
        label_smoothing: s in [0, 1] (default 0).
        axis: The axis the mean is taken over (default -1).

    Returns:
        Per-sample losses: y_pred's shape without `axis`.

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> from baro import losses
        >>> losses.binary_crossentropy([[0.0, 1.0], [0.0, 0.0]],
        ...                            [[0.6, 0.4], [0.4, 0.6]]).numpy().round(4)
        array([0.9163, 0.7136], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "binary_crossentropy",
                                  align=False, check=False)
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_behind(y_pred, Sigmoid)
    if logits is not None:
        bce = ops.sigmoid_binary_cross_entropy(y_true, logits)
    else:
        bce = -(y_true * _log_clipped(y_pred)
                + (1.0 - y_true) * _log_clipped(1.0 - y_pred))
    return ops.mean(bce, axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False,
                              label_smoothing: float = 0.0,
                              axis: int = -1) -> Tensor:
    """Binary cross-entropy scaled down on easy examples (Lin et al., 2017).

    focal = (1 - p_t)**gamma * bce with p_t = y p + (1 - y)(1 - p); with class
    balancing each term is also weighted by alpha (y = 1) or 1 - alpha (y = 0).
    Logits go through a sigmoid first, then the clipped probability form (as
    in Keras). gamma = 0 gives plain binary cross-entropy.

    Args:
        y_true: Labels in [0, 1].
        y_pred: Probabilities, or logits when `from_logits`.
        apply_class_balancing: Weight classes by alpha (default False).
        alpha: Weight of class 1 (default 0.25).
        gamma: Focusing exponent (default 2.0).
        from_logits: Whether y_pred holds logits (default False).
        label_smoothing: s in [0, 1] (default 0).
        axis: The axis the mean is taken over (default -1).

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> from baro import losses
        >>> losses.binary_focal_crossentropy([[0.0, 1.0], [0.0, 0.0]],
        ...                                  [[0.6, 0.4], [0.4, 0.6]]).numpy().round(3)
        array([0.33 , 0.206], dtype=float32)
    """
    y_true, y_pred = match_inputs(y_true, y_pred, "binary_focal_crossentropy",
                                  align=False, check=False)
    _check_same_shape("binary_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = -(y_true * _log_clipped(y_pred)
            + (1.0 - y_true) * _log_clipped(1.0 - y_pred))
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, float(gamma)) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def _check_one_hot_shapes(name, y_true, y_pred, axis):
    if y_true.shape == y_pred.shape:
        return
    sample_shape = y_pred.shape[:axis] + y_pred.shape[axis + 1:]
    if (y_pred.shape[axis] > 1
            and y_true.shape in (sample_shape, sample_shape + (1,))):
        raise ValueError(
            f"{name}: y_true has shape {y_true.shape} and y_pred has shape "
            f"{y_pred.shape}. y_true looks like integer class labels, but this "
            f"loss expects one-hot labels of shape {y_pred.shape}. Use "
            "sparse_categorical_crossentropy (SparseCategoricalCrossentropy) "
            "for integer labels, or one-hot encode them with "
            "baro.keras.utils.to_categorical(y)."
        )
    raise ValueError(
        f"{name}: y_true has shape {y_true.shape} and y_pred has shape "
        f"{y_pred.shape}; they must match (one probability per class)."
    )


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0,
                             axis: int = -1) -> Tensor:
    """Cross-entropy between one-hot (or soft) labels and predicted classes.

    loss = -sum(y * log(p), axis) with p = clip(y_pred / sum(y_pred, axis),
    eps, 1 - eps) for probabilities, or the fused stable log-softmax for logits
    (also when y_pred comes straight from a recorded softmax along `axis`:
    see the module).
    Label smoothing: y (1 - s) + s / num_classes.

    Args:
        y_true: One-hot or probability labels, same shape as y_pred.
        y_pred: Probabilities, or logits when `from_logits`.
        from_logits: Whether y_pred holds logits (default False).
        label_smoothing: s in [0, 1] (default 0).
        axis: The class axis (default -1).

    Returns:
        Per-sample losses: y_pred's shape without `axis`.

    Raises:
        ValueError: If the shapes differ; integer labels of shape (batch,) or
            (batch, 1) are named as such, with the fix.

    Example:
        >>> from baro import losses
        >>> losses.categorical_crossentropy([[0, 1, 0], [0, 0, 1]],
        ...     [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]).numpy().round(4)
        array([0.0513, 2.3026], dtype=float32)
    """
    if isinstance(axis, bool):  # Keras rejects True/False, which pass as ints
        raise ValueError(f"categorical_crossentropy: axis must be an int, "
                         f"received {axis!r}.")
    y_true, y_pred = match_inputs(y_true, y_pred, "categorical_crossentropy",
                                  align=False, check=False)
    axis = axis % y_pred.ndim
    _check_one_hot_shapes("categorical_crossentropy", y_true, y_pred, axis)
    if y_pred.shape[axis] == 1:
        warnings.warn(f"categorical_crossentropy: y_pred has shape {y_pred.shape},"
                      " a single class, so the loss is always 0. Use "
                      "binary_crossentropy for two classes.", stacklevel=2)
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    logits = y_pred if from_logits else _logits_behind(y_pred, Softmax, axis)
    if logits is not None:
        return ops.softmax_cross_entropy(y_true, logits, axis=axis)
    probs = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    return -ops.sum(y_true * _log_clipped(probs), axis=axis)


@register_serializable()
class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy; class form of `binary_crossentropy`.

    Args:
        from_logits, label_smoothing, axis: As in `binary_crossentropy`
            (defaults False, 0.0, -1).
        reduction, name, dtype: See `Loss`; name defaults to
            "binary_crossentropy".

    Raises:
        ValueError: If label_smoothing is outside [0, 1].

    Example:
        >>> from baro import losses
        >>> bce = losses.BinaryCrossentropy(from_logits=True)
        >>> round(float(bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])), 3)
        0.865
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction=_REDUCTION, name="binary_crossentropy",
                 dtype=None) -> None:
        _check_fraction("BinaryCrossentropy", "label_smoothing", label_smoothing)
        super().__init__(binary_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = (
            from_logits, label_smoothing, axis)


@register_serializable()
class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal binary cross-entropy; class form of `binary_focal_crossentropy`.

    Args:
        apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis:
            As in `binary_focal_crossentropy` (defaults False, 0.25, 2.0,
            False, 0.0, -1).
        reduction, name, dtype: See `Loss`; name defaults to
            "binary_focal_crossentropy".

    Raises:
        ValueError: For alpha or label_smoothing outside [0, 1], or gamma < 0.

    Example:
        >>> from baro import losses
        >>> focal = losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True)
        >>> round(float(focal([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])), 3)
        0.691
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction=_REDUCTION, name="binary_focal_crossentropy",
                 dtype=None) -> None:
        owner = "BinaryFocalCrossentropy"
        _check_fraction(owner, "alpha", alpha)
        _check_fraction(owner, "label_smoothing", label_smoothing)
        if gamma < 0:
            raise ValueError(f"{owner}: gamma must be >= 0, received {gamma}.")
        super().__init__(binary_focal_crossentropy, reduction=reduction,
                         name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = (
            from_logits, label_smoothing, axis)


@register_serializable()
class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with one-hot labels; class form of `categorical_crossentropy`.

    Args:
        from_logits, label_smoothing, axis: As in `categorical_crossentropy`
            (defaults False, 0.0, -1).
        reduction, name, dtype: See `Loss`; name defaults to
            "categorical_crossentropy".

    Raises:
        ValueError: If label_smoothing is outside [0, 1].

    Example:
        >>> from baro import losses
        >>> cce = losses.CategoricalCrossentropy()
        >>> y_true = [[0, 1, 0], [0, 0, 1]]
        >>> y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
        >>> round(float(cce(y_true, y_pred)), 3)
        1.177
        >>> round(float(cce(y_true, y_pred, sample_weight=[0.3, 0.7])), 3)
        0.814
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction=_REDUCTION,
                 name="categorical_crossentropy", dtype=None) -> None:
        _check_fraction("CategoricalCrossentropy", "label_smoothing",
                        label_smoothing)
        super().__init__(categorical_crossentropy, reduction=reduction,
                         name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = (
            from_logits, label_smoothing, axis)
