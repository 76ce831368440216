"""ReduceLROnPlateau: lower the learning rate when a quantity stops improving."""

from __future__ import annotations

import math
import warnings

import numpy as np

from baro.callbacks.callback import Callback, Logs, check_mode, resolve_mode


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` after `patience` flat epochs.

    At each epoch end with value `v` of `monitor`: it improves on the best `b`
    when `v < b - min_delta` ("min" mode) or `v > b + min_delta` ("max" mode);
    an improvement resets `wait`, otherwise `wait` grows (not during cooldown).
    When `wait >= patience` and `lr > min_lr`:

        lr <- max(lr * factor, min_lr)

    then `cooldown` epochs pass before `wait` counts again. The current learning
    rate is also written into the epoch logs as "learning_rate".

    Args:
        monitor: Logged quantity to watch (default "val_loss").
        factor: Multiplier of the learning rate, in (0, 1) (default 0.1).
        patience: Epochs without improvement before reducing (default 10).
        verbose: 1 prints a message at each reduction (default 0).
        mode: "min", "max" or "auto" (default; "acc"/"accuracy"/"auc"... ->
            max, anything else -> min).
        min_delta: Smallest change that counts as an improvement (default 1e-4).
        cooldown: Epochs to wait after a reduction before counting (default 0).
        min_lr: Lower bound of the learning rate (default 0.0).

    Raises:
        ValueError: If `factor` is not in (0, 1), `patience` or `cooldown` is
            negative, or `mode` is not "auto", "min" or "max".

    Example:
        >>> from baro.callbacks import CallbackList
        >>> class Optimizer:
        ...     learning_rate = 0.1
        >>> class Model:
        ...     optimizer = Optimizer()
        >>> model = Model()
        >>> reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
        >>> callbacks = CallbackList([reduce], model=model)
        >>> callbacks.on_train_begin()
        >>> for epoch, loss in enumerate([1.0, 1.0, 1.0]):
        ...     callbacks.on_epoch_end(epoch, {"loss": loss})
        >>> model.optimizer.learning_rate
        0.025
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1,
                 patience: int = 10, verbose: int = 0, mode: str = "auto",
                 min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0) -> None:
        super().__init__()
        if not 0.0 < factor < 1.0:
            raise ValueError(
                "ReduceLROnPlateau expects 0 < factor < 1 (new_lr = lr * factor), "
                f"received factor={factor}."
            )
        if patience < 0 or cooldown < 0:
            raise ValueError(
                "ReduceLROnPlateau expects patience >= 0 and cooldown >= 0, "
                f"received patience={patience}, cooldown={cooldown}."
            )
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = check_mode("ReduceLROnPlateau", mode)
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.cooldown_counter = 0
        self.best = None
        self._direction: str | None = None

    def in_cooldown(self) -> bool:
        """Whether a reduction happened less than `cooldown` epochs ago."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                f"which is not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce(epoch)

    def _is_improvement(self, current: float) -> bool:
        if self._direction is None:
            # Keras's rule: direction from the name, "min" unless it says max.
            self._direction = resolve_mode(self, self.monitor, self.mode,
                                           default="min")
            self.best = math.inf if self._direction == "min" else -math.inf
        if self._direction == "min":
            return bool(current < self.best - self.min_delta)
        return bool(current > self.best + self.min_delta)

    def _reduce(self, epoch: int) -> None:
        old_lr = float(self.model.optimizer.learning_rate)
        # Compared in float32, the optimizer's precision, so a rate stored as
        # float32(min_lr) counts as having reached min_lr.
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                      f"rate to {new_lr}.", flush=True)
            self.cooldown_counter = self.cooldown
            self.wait = 0
