"""Examination: the rules of `findings` run over one `fit`, for TrainingDoctor.

Before training it probes a sample of the training data (labels, input scale,
gradients, activations); after each probed epoch it probes again and reads the
loss trends from the epoch logs; at the end it checks the predictions. Each
finding code is reported once, the first time it is seen.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from baro.core.grad_mode import no_grad
from baro.diagnostics import findings as rules
from baro.diagnostics.findings import Finding
from baro.diagnostics.statistics import (
    InspectionReport,
    activation_name,
    leaf_layers,
    probe,
    sample,
)

# When one of these explains the loss, "too low a learning rate" or
# "underfitting" would be a second, wrong diagnosis of the same stall.
_EXPLAINS_STALL = {"vanishing_gradients", "exploding_gradients", "dead_relus",
                   "saturated_units", "learning_rate_too_high",
                   "labels_out_of_range", "label_format_mismatch"}
# ... and a class never predicted is then a symptom already explained.
_EXPLAINS_MISSING_CLASS = _EXPLAINS_STALL | {"learning_rate_too_low",
                                             "underfitting"}


class Examination:
    """The state of one fit under observation.

    Args:
        model: The model being trained.
        x: Training inputs (arrays), or None when fit has none to give.
        y: Training targets, or None.
        sample_size: Rows probed (default 256), drawn once with `seed`.
        patience: Epochs a trend must last (overfitting, stalls) (default 5).
        seed: Seed of the row sampling (default 0).

    Attributes:
        findings: Every finding so far, one per code.
        reports: (epoch or None, InspectionReport) per probe.
        losses, val_losses: The epoch logs' "loss" and "val_loss".
        error: Why probing stopped (a model or loss error), or None.
        last_epoch: The last epoch seen, or None.
    """

    def __init__(self, model: Any, x: Any, y: Any, sample_size: int = 256,
                 patience: int = 5, seed: int = 0) -> None:
        self.model = model
        self.x, self.y = sample(x, y, sample_size, seed) if x is not None \
            else (None, None)
        self.patience = patience
        self.findings: list[Finding] = []
        self.reports: list[tuple[int | None, InspectionReport]] = []
        self.losses: list[float] = []
        self.val_losses: list[float] = []
        self.error: str | None = None
        self.last_epoch: int | None = None

    # -- the three moments -----------------------------------------------------------
    def begin(self) -> list[Finding]:
        """Checks before the first step: labels, input scale, gradients."""
        report = self._probe(None)
        predictions = report.predictions if report is not None else self._predict()
        layers = leaf_layers(self.model)
        activation = activation_name(layers[-1]) if layers else None
        found = rules.label_problems(self.y, predictions, self._loss(), activation)
        if report is not None:
            found += [rules.unscaled_inputs(report)] + self._layer_problems(report)
        return self._keep(found, None)

    def epoch_end(self, epoch: int, logs: dict, probe_now: bool = True
                  ) -> list[Finding]:
        """Checks after an epoch: a probe (if `probe_now`) and the loss trends."""
        self.last_epoch = epoch
        for key, values in (("loss", self.losses), ("val_loss", self.val_losses)):
            if key in logs:
                values.append(float(logs[key]))
        found: list[Finding | None] = []
        report = self._probe(epoch) if probe_now else None
        if report is not None:
            found += self._layer_problems(report)
        probed = [r for _, r in self.reports]
        found.append(rules.learning_rate_too_high(
            self.losses, [r.loss for r in probed]))
        codes = {f.code for f in self.findings} | {f.code for f in found if f}
        if not codes & _EXPLAINS_STALL and len(probed) > 1:
            found.append(rules.learning_rate_too_low(
                [r.loss for r in probed], [r.total_grad_norm() for r in probed],
                len(self.losses), self.patience, self._learning_rate()))
            if "learning_rate_too_low" not in codes | {f.code for f in found if f}:
                found.append(rules.underfitting(
                    self.losses, [r.loss for r in probed], self.patience))
        found.append(rules.overfitting(self.losses, self.val_losses, self.patience))
        return self._keep(found, epoch)

    def end(self) -> list[Finding]:
        """Checks at the end of training: classes the model never predicts."""
        last = self.last_epoch
        if not self.reports or last is None:
            return []  # no probe, or no epoch trained
        epoch, report = self.reports[-1]
        if epoch != last:
            report = self._probe(last) or report
        predictions = report.predictions
        if predictions is None or not np.all(np.isfinite(predictions)) or \
                {f.code for f in self.findings} & _EXPLAINS_MISSING_CLASS:
            return []
        return self._keep([rules.class_never_predicted(predictions, self.y,
                                                       self._loss())], last)

    # -- helpers -----------------------------------------------------------------------
    def _layer_problems(self, report: InspectionReport) -> list[Finding]:
        found = rules.activation_problems(report)
        dead = any(f.code == "dead_relus" for f in self.findings + found)
        # Dead units starve the layers below them of gradient too: that is the
        # diagnosis, not vanishing gradients.
        found += [f for f in rules.gradient_problems(report, self._initial())
                  if not (dead and f.code == "vanishing_gradients")]
        return found

    def _keep(self, found: list, epoch: int | None) -> list[Finding]:
        codes = {f.code for f in self.findings}
        new = []
        for finding in found:
            if finding is None or finding.code in codes:
                continue
            codes.add(finding.code)
            new.append(dataclasses.replace(finding, epoch=epoch))
        self.findings += new
        return new

    def _probe(self, epoch: int | None) -> InspectionReport | None:
        if self.x is None or self.error is not None:
            return None
        try:
            report = probe(self.model, self.x, self.y)
        except (ValueError, TypeError, IndexError) as error:
            # The same error will stop fit at its first step, with its own
            # message; the doctor reports what it can see without a probe.
            self.error = f"{type(error).__name__}: {error}"
            return None
        self.reports.append((epoch, report))
        return report

    def _predict(self) -> np.ndarray | None:
        if self.x is None:
            return None
        try:
            with no_grad():
                outputs = self.model(self.x, training=False)
        except (ValueError, TypeError, IndexError):
            return None
        return outputs.numpy() if hasattr(outputs, "numpy") else None

    def _initial(self) -> InspectionReport | None:
        return self.reports[0][1] if self.reports else None

    def _loss(self):
        return getattr(self.model, "loss", None)

    def _learning_rate(self) -> float | None:
        rate = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        try:
            value = float(rate)
        except (TypeError, ValueError):
            return None
        return value if math.isfinite(value) else None

