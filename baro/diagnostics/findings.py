"""Findings and the rules that produce them: small pure functions over numbers.

Each rule looks at data (a label sample, an `InspectionReport`, the per-epoch
losses) and returns a `Finding`, or None when all is well. A message says what
is seen, with its numbers, then what to try. The thresholds are named
constants; the tests provoke each condition on purpose and check that a
healthy model trips none of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from baro.diagnostics.statistics import InspectionReport

VANISHING_RATIO = 1e-3  # first layer's gradient RMS / last layer's
EXPLODING_RATIO = 1e3  # the same ratio, the other way; or growth over training
DEAD_FRACTION = 0.5  # of a ReLU layer's units
SATURATED_FRACTION = 0.5  # of a hidden sigmoid/tanh layer's outputs
INPUT_SCALE = 10.0  # 99th percentile of |x| for the worst feature
RISE = 1.5  # an early probe's loss over the one before training: diverging
RISE_TRAIN = 3.0  # the same for an epoch's training loss (dropout inflates it)
FLAT = 0.01  # relative change of the loss that counts as none
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
                 "relu": (0.0, math.inf), "softplus": (0.0, math.inf),
                 "relu6": (0.0, 6.0)}


@dataclass(frozen=True)
class Finding:
    """One thing the doctor noticed.

    Attributes:
        code: Stable identifier, e.g. "vanishing_gradients" (for tests and code).
        severity: "error" (training cannot work), "warning" or "info".
        message: Plain language: what is seen, with the numbers; what to try.
        epoch: The 0-based epoch after which it was seen; None before training.
        data: The numbers behind the message (layer names, ratios, ...).
    """

    code: str
    severity: str
    message: str
    epoch: int | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        when = "before training" if self.epoch is None else f"epoch {self.epoch + 1}"
        return f"[{self.severity}] {self.code} ({when}): {self.message}"


def loss_key(loss: Any) -> str:
    """A loss's snake_case name: "SparseCategoricalCrossentropy" and
    "sparse_categorical_crossentropy" both give the latter; "" if unknown."""
    if isinstance(loss, str):
        name = loss
    else:
        name = getattr(loss, "name", None) or getattr(loss, "__name__", None) \
            or type(loss).__name__
    if not isinstance(name, str):
        return ""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


# -- before training: inputs and labels --------------------------------------------
def unscaled_inputs(report: InspectionReport) -> Finding | None:
    """Inputs of the first layer with a kernel reach |x| > `INPUT_SCALE`."""
    first = next((r for r in report.rows if r.has_kernel), None)
    if first is None or first.input_scale is None or first.class_name == "Embedding":
        return None
    if first.input_scale <= INPUT_SCALE:
        return None
    return Finding(
        "unscaled_inputs", "warning",
        f"The inputs reaching layer '{first.name}' go up to {first.input_scale:.4g} "
        "(99th percentile of |x| for the widest feature), far from [-1, 1]. Large "
        "inputs make the first pre-activations and gradients large, so training "
        "is slow or unstable. Try: divide pixels by 255 (or add "
        "layers.Rescaling(1 / 255) first), or standardize each feature: "
        "(x - mean) / std, or layers.Normalization() with .adapt(x).",
        data={"layer": first.name, "input_scale": first.input_scale})


def _class_ids(y: np.ndarray) -> np.ndarray | None:
    if y.size and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return y.astype(np.int64).reshape(-1)
    return None


def label_problems(y: Any, predictions: np.ndarray | None, loss: Any,
                   output_activation: str | None) -> list[Finding]:
    """Labels that do not fit the loss or the output layer.

    Checks: sparse labels outside [0, classes); one-hot labels with a sparse
    loss and class ids with a categorical one; binary labels outside [0, 1];
    regression targets outside the range of the output activation (sigmoid
    (0, 1), tanh (-1, 1), relu [0, inf)).
    """
    if y is None or predictions is None or isinstance(y, (dict, list, tuple)):
        return []
    y = np.asarray(y, dtype=np.float64)
    classes = predictions.shape[-1] if predictions.ndim > 1 else 1
    key = loss_key(loss)
    low, high = (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
    found = []
    if "sparse_categorical" in key:
        one_hot = y.ndim > 1 and y.shape[-1] == classes > 1 and \
            np.all((y == 0) | (y == 1)) and np.allclose(y.sum(axis=-1), 1)
        ids = _class_ids(y)
        if one_hot:
            found.append(_mismatch(
                f"The labels are one-hot (shape {y.shape}) but the loss is {key}, "
                "which expects integer class ids. Try: loss="
                "'categorical_crossentropy', or pass y.argmax(axis=-1).", key))
        elif ids is None or ids.min() < 0 or ids.max() >= classes:
            wider = f"Dense({int(high) + 1}) as the output layer if there are " \
                f"{int(high) + 1} classes, or " if ids is not None and low >= 0 else ""
            found.append(_out_of_range(
                f"{key} needs integer labels in [0, {classes}) for the model's "
                f"{classes} outputs, but the labels run from {low:g} to {high:g}. "
                f"Try: {wider}relabel them 0..{classes - 1} (e.g. y - y.min()).",
                key, low, high))
    elif "categorical" in key:
        if classes > 1 and (y.ndim == 1 or y.shape[-1] == 1) and \
                _class_ids(y) is not None:
            found.append(_mismatch(
                f"The labels are class ids (shape {y.shape}) but the loss is {key}, "
                "which expects one-hot rows. Try: loss="
                "'sparse_categorical_crossentropy', or "
                f"baro.keras.utils.to_categorical(y, {classes}).", key))
        elif y.ndim > 1 and y.shape[-1] == classes and (
                low < 0 or high > 1 or not np.allclose(y.sum(axis=-1), 1, atol=1e-3)):
            found.append(_out_of_range(
                f"With {key} each label row must be a probability distribution "
                f"(entries in [0, 1] summing to 1); here entries run from {low:g} to "
                f"{high:g}. Try: one-hot encode the labels (to_categorical).",
                key, low, high))
    elif "binary" in key and (low < 0 or high > 1):
        found.append(_out_of_range(
            f"{key} needs labels in [0, 1], but they run from {low:g} to "
            f"{high:g}. Try: map the two classes to 0 and 1 (e.g. (y == "
            f"{high:g}).astype('float32')); for more than two classes use a "
            "softmax output with sparse_categorical_crossentropy.", key, low, high))
    elif output_activation in OUTPUT_RANGES and "crossentropy" not in key \
            and "hinge" not in key:
        lo, hi = OUTPUT_RANGES[output_activation]
        if low < lo - 1e-6 or high > hi + 1e-6:
            found.append(_out_of_range(
                f"The output layer's {output_activation} only produces values in "
                f"[{lo:g}, {hi:g}], but the targets run from {low:g} to {high:g}: "
                "the model can never reach them. Try: a linear output (activation="
                "None) for regression, or scale the targets into the output's "
                "range.", key, low, high))
    return found


def _mismatch(message: str, key: str) -> Finding:
    return Finding("label_format_mismatch", "error", message, data={"loss": key})


def _out_of_range(message: str, key: str, low: float, high: float) -> Finding:
    return Finding("labels_out_of_range", "error", message,
                   data={"loss": key, "min": low, "max": high})


# -- during training: gradients and activations --------------------------------------
def gradient_problems(report: InspectionReport,
                      initial: InspectionReport | None = None) -> list[Finding]:
    """Vanishing (first/last gradient RMS < `VANISHING_RATIO`) or exploding
    (non-finite, first/last > `EXPLODING_RATIO`, or the total gradient norm
    grown by `EXPLODING_RATIO` since `initial`) gradients."""
    advice = ("Try: a lower learning rate, gradient clipping (e.g. "
              "optimizers.Adam(clipnorm=1.0)), scaled inputs, and from_logits=True "
              "losses instead of log(0)-prone probabilities.")
    bad = [r.name for r in report.rows if r.grad_norm is not None
           and not math.isfinite(r.grad_norm)]
    if bad or not math.isfinite(report.loss):
        weights = [r.name for r in report.rows if r.weight_norm is not None
                   and not math.isfinite(r.weight_norm)]
        seen = f"the gradients of {', '.join(bad)} are" if bad else "the loss is"
        broken = f" The weights of {', '.join(weights)} are already NaN/inf." \
            if weights else ""
        return [Finding("exploding_gradients", "error",
                        f"On the probe sample {seen} NaN or infinite: training has "
                        f"diverged.{broken} {advice}",
                        data={"layers": bad, "nonfinite_weights": weights})]
    rows = report.weighted()
    found = []
    if len(rows) >= 3 and rows[0].grad_rms > 0 and rows[-1].grad_rms > 0:
        first, last = rows[0], rows[-1]
        ratio = first.grad_rms / last.grad_rms
        if ratio < VANISHING_RATIO:
            squashing = sum(r.activation in ("sigmoid", "tanh") for r in report.rows)
            found.append(Finding(
                "vanishing_gradients", "warning",
                f"The gradient reaching the first layer '{first.name}' is {ratio:.1e} "
                f"times the last layer's '{last.name}' (RMS {first.grad_rms:.1e} vs "
                f"{last.grad_rms:.1e}): the first layers barely learn. "
                + (f"The net stacks {squashing} sigmoid/tanh layers, and each "
                   "multiplies the gradient by its derivative (sigmoid' <= 0.25). "
                   if squashing else "")
                + "Try: ReLU activations with He initialization (kernel_initializer="
                "'he_normal'), BatchNormalization between layers, residual "
                "connections, or fewer layers.",
                data={"ratio": ratio, "first": first.name, "last": last.name}))
        elif ratio > EXPLODING_RATIO:
            found.append(Finding(
                "exploding_gradients", "warning",
                f"The gradient at the first layer '{first.name}' is {ratio:.1e} times "
                f"the last layer's '{last.name}': gradients grow layer by layer. "
                f"{advice} Also: BatchNormalization, or smaller initial weights.",
                data={"ratio": ratio, "first": first.name, "last": last.name}))
    if initial is not None and initial.total_grad_norm() > 0:
        growth = report.total_grad_norm() / initial.total_grad_norm()
        if growth > EXPLODING_RATIO:
            found.append(Finding(
                "exploding_gradients", "warning",
                f"The gradient norm has grown {growth:.1e} times since training "
                f"began ({initial.total_grad_norm():.3g} -> "
                f"{report.total_grad_norm():.3g}). {advice}",
                data={"growth": growth}))
    return found


def activation_problems(report: InspectionReport) -> list[Finding]:
    """ReLU layers with >= `DEAD_FRACTION` dead units; hidden sigmoid/tanh layers
    with >= `SATURATED_FRACTION` of their outputs saturated."""
    found = []
    dead = {r.name: r.dead_fraction for r in report.rows
            if r.dead_fraction is not None and r.dead_fraction >= DEAD_FRACTION}
    if dead:
        name, fraction = next(iter(dead.items()))
        others = f" (also in {', '.join(list(dead)[1:])}, downstream)" \
            if len(dead) > 1 else ""
        found.append(Finding(
            "dead_relus", "warning",
            f"{100 * fraction:.0f}% of the ReLU units of layer '{name}' output 0 for "
            f"every probed sample{others}: they are dead, no gradient reaches their "
            "weights, so they never recover. Try: LeakyReLU (activation="
            "'leaky_relu') or ELU, a lower learning rate, He initialization, and no "
            "large negative biases.", data={"layers": dead}))
    hidden = report.rows[:-1]
    saturated = {r.name: r.saturated_fraction for r in hidden
                 if r.saturated_fraction is not None
                 and r.saturated_fraction >= SATURATED_FRACTION}
    if saturated:
        name, fraction = next(iter(saturated.items()))
        found.append(Finding(
            "saturated_units", "warning",
            f"{100 * fraction:.0f}% of the outputs of layer '{name}' sit in the flat "
            "ends of its sigmoid/tanh, where the derivative is near 0, so little "
            "gradient passes. Try: scaled inputs, smaller initial weights (Glorot), "
            "BatchNormalization before the activation, or ReLU.",
            data={"layers": saturated}))
    return found


# -- from the losses ---------------------------------------------------------------
def learning_rate_too_high(losses: list[float], probe_losses: list[float],
                           window: int = 5) -> Finding | None:
    """The epoch loss became NaN/inf; or, within `window` epochs, the probe loss
    (same sample, inference mode) rose above `RISE` x its value before training
    or the epoch's training loss above `RISE_TRAIN` x; or the epoch loss went up
    in two of the first `window` epochs (oscillation).

    `probe_losses[0]` is the loss before training.
    """
    advice = ("Try: a learning rate 3-10x lower (baro.diagnostics.lr_find suggests "
              "one), gradient clipping (clipnorm=1.0), or Adam instead of SGD.")
    nonfinite = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    if nonfinite is not None:
        return Finding("learning_rate_too_high", "error",
                       f"The loss became {losses[nonfinite]} in epoch "
                       f"{nonfinite + 1}: training diverged. {advice}",
                       data={"epoch": nonfinite})
    early = losses[:window]
    initial = probe_losses[0] if probe_losses else math.nan
    peak = max(probe_losses[1:window + 1], default=-math.inf)
    if math.isfinite(initial) and (peak > RISE * initial or
                                   max(early, default=0) > RISE_TRAIN * initial):
        peak = max(peak, *early)
        return Finding("learning_rate_too_high", "warning",
                       f"The loss rose from {initial:.4g} before training to "
                       f"{peak:.4g}: the steps overshoot. {advice}",
                       data={"initial": initial, "peak": peak})
    rises = sum(b > a * (1 + 2 * FLAT) for a, b in pairwise(early))
    if rises >= 2:
        return Finding("learning_rate_too_high", "warning",
                       f"The loss went up in {rises} of the first {len(early)} epochs "
                       f"({', '.join(f'{v:.3g}' for v in early)}): it oscillates "
                       f"instead of falling. {advice}", data={"losses": early})
    return None


def learning_rate_too_low(probe_losses: list[float], grad_norms: list[float],
                          epochs: int, patience: int,
                          learning_rate: float | None = None) -> Finding | None:
    """After `patience` epochs the loss on the probe sample moved less than
    `FLAT`, while the gradient is still at least half its initial size (there
    is a slope to descend; steps are just too small)."""
    if epochs < patience or len(probe_losses) < 2:
        return None
    first, last = probe_losses[0], probe_losses[-1]
    if not (math.isfinite(first) and first > 0) or (first - last) > FLAT * first:
        return None
    if grad_norms[-1] < 0.5 * grad_norms[0]:
        return None
    rate = f" ({learning_rate:.3g})" if learning_rate is not None else ""
    return Finding(
        "learning_rate_too_low", "warning",
        f"After {epochs} epochs the loss has barely moved ({first:.4g} -> "
        f"{last:.4g}) though the gradient is as large as at the start: the "
        f"learning rate{rate} is too small to make progress. Try: a 10x larger "
        "one (baro.diagnostics.lr_find suggests one), or Adam with its default "
        "1e-3.", data={"initial": first, "last": last, "learning_rate": learning_rate})


def underfitting(losses: list[float], probe_losses: list[float],
                 patience: int) -> Finding | None:
    """The training loss changed by less than `FLAT` over the last `patience`
    epochs while still at least half the loss before training."""
    if len(losses) <= patience or len(probe_losses) < 2:
        return None
    before, now = losses[-1 - patience], losses[-1]
    first = probe_losses[0]
    if not math.isfinite(before) or before - now > FLAT * before:
        return None
    if not (first > 0 and probe_losses[-1] >= 0.5 * first):
        return None
    return Finding(
        "underfitting", "warning",
        f"The training loss has stalled at {now:.4g} for {patience} epochs, still "
        f"{100 * probe_losses[-1] / first:.0f}% of its value before training "
        f"({first:.4g}): the model cannot fit even the training data. Try: a "
        "larger model (more units or layers), training longer, a learning-rate "
        "schedule, less regularization (Dropout, L2), or better features.",
        data={"loss": now, "initial": first})


def overfitting(losses: list[float], val_losses: list[float],
                patience: int) -> Finding | None:
    """The validation loss has risen for `patience` epochs past its best (by
    more than `FLAT`) while the training loss kept falling."""
    if len(val_losses) <= patience or len(losses) < len(val_losses):
        return None
    best = int(np.argmin(val_losses))
    since = len(val_losses) - 1 - best
    train = losses[-len(val_losses):]
    if since < patience or val_losses[-1] <= val_losses[best] * (1 + FLAT) \
            or train[-1] >= train[best] * (1 - FLAT):
        return None
    return Finding(
        "overfitting", "warning",
        f"The validation loss has risen for {since} epochs since its best "
        f"({val_losses[best]:.4g} -> {val_losses[-1]:.4g}) while the training loss "
        f"kept falling ({train[best]:.4g} -> {train[-1]:.4g}): the model memorizes "
        "the training data. Try: Dropout, L2 regularization (kernel_regularizer), "
        "EarlyStopping(restore_best_weights=True), a smaller model, more data or "
        "data augmentation.",
        data={"best_epoch": best, "best_val_loss": val_losses[best],
              "val_loss": val_losses[-1]})


# -- at the end: predictions -------------------------------------------------------
def class_never_predicted(predictions: np.ndarray | None, y: Any,
                          loss: Any) -> Finding | None:
    """A class that is >= 2% of the sampled labels (and >= 3 samples) but never
    the model's prediction on the sample."""
    if predictions is None or y is None or isinstance(y, (dict, list, tuple)):
        return None
    y = np.asarray(y)
    key = loss_key(loss)
    if predictions.ndim < 2 or "crossentropy" not in key:
        return None
    if predictions.shape[-1] == 1:
        predicted = (predictions[..., 0] > (0.0 if _logits(loss) else 0.5))
        truth = _class_ids(np.asarray(y, dtype=np.float64).reshape(-1))
    else:
        predicted = predictions.argmax(axis=-1)
        truth = _class_ids(y.astype(np.float64)) if "sparse" in key or \
            y.ndim == 1 or y.shape[-1] == 1 else y.argmax(axis=-1)
    if truth is None or truth.shape[0] != predicted.reshape(-1).shape[0]:
        return None
    counts = np.bincount(truth[truth >= 0])
    shown = set(np.unique(predicted.astype(np.int64)).tolist())
    missing = [c for c, n in enumerate(counts) if n >= max(3, 0.02 * len(truth))
               and c not in shown]
    if not missing:
        return None
    share = sum(counts[c] for c in missing) / len(truth)
    return Finding(
        "class_never_predicted", "warning",
        f"Class(es) {', '.join(map(str, missing))} never come out as the prediction "
        f"on {len(truth)} training samples, though they are {100 * share:.0f}% of "
        "their labels. Common with imbalanced classes or too little training. "
        "Try: class_weight in fit (e.g. inverse class frequency), resampling, "
        "training longer, and check those labels.",
        data={"classes": missing, "share": share})


def _logits(loss) -> bool:
    return bool(getattr(loss, "from_logits", False))
