"""EarlyStopping: stop training when a monitored quantity stops improving."""

from __future__ import annotations

import operator
import warnings

import numpy as np

from baro.callbacks.callback import Callback, Logs, check_mode, resolve_mode


class EarlyStopping(Callback):
    """Stops training when `monitor` has not improved for `patience` epochs.

    At the end of each epoch `e >= start_from_epoch` with value `v` of `monitor`,
    an improvement over the best value `b` so far is, in "min" mode,
    `v + min_delta < b` and in "max" mode `v - min_delta > b` (the first value
    always improves). `wait` counts epochs since the last improvement that also
    beat `baseline` (when given); training stops (`model.stop_training = True`)
    once `wait >= patience`, never at epoch 0. With `restore_best_weights`, the
    weights of the best epoch are put back at the end of training, whether it
    ended by patience or by running out of epochs.

    Args:
        monitor: Name of the logged quantity to watch (default "val_loss").
        min_delta: Smallest change that counts as an improvement; its sign is
            ignored (default 0).
        patience: Epochs without improvement before stopping (default 0).
        verbose: 1 prints a message when stopping or restoring (default 0).
        mode: "min", "max" or "auto" (default): "auto" infers the direction from
            the model's metric or the name ("loss" -> min, "accuracy" -> max).
        baseline: Value the quantity must improve on to reset the wait; None
            (default) means any improvement resets it.
        restore_best_weights: Restore the best epoch's weights at the end of
            training (default False).
        start_from_epoch: Epochs of warm-up before monitoring starts (default 0).

    Raises:
        ValueError: If `mode` is not "auto", "min" or "max", `patience` or
            `start_from_epoch` is negative, or (at the first epoch end) the
            direction of `monitor` cannot be inferred in "auto" mode.

    Example:
        >>> from baro.callbacks import CallbackList
        >>> class Model:
        ...     stop_training = False
        >>> model = Model()
        >>> callbacks = CallbackList([EarlyStopping(monitor="loss", patience=2)],
        ...                          model=model)
        >>> callbacks.on_train_begin()
        >>> for epoch, loss in enumerate([0.5, 0.4, 0.45, 0.47]):
        ...     callbacks.on_epoch_end(epoch, {"loss": loss})
        ...     if model.stop_training:
        ...         break
        >>> epoch
        3
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0,
                 patience: int = 0, verbose: int = 0, mode: str = "auto",
                 baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__()
        if patience < 0 or start_from_epoch < 0:
            raise ValueError(
                "EarlyStopping expects patience >= 0 and start_from_epoch >= 0, "
                f"received patience={patience}, start_from_epoch={start_from_epoch}."
            )
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = check_mode("EarlyStopping", mode)
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = None
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            # Resolved late: the model's metrics exist only once training runs.
            direction = resolve_mode(self, self.monitor, self.mode)
            self.monitor_op = operator.lt if direction == "min" else operator.gt
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first monitored epoch is the best.
            self.best_weights = self._copy_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self._copy_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: Logs | None):
        """Returns `logs[monitor]`, or None with a warning if it is missing."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"EarlyStopping conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value

    def _is_improvement(self, value, reference) -> bool:
        if reference is None:
            return True
        delta = -self.min_delta if self.monitor_op is operator.lt else self.min_delta
        return bool(self.monitor_op(value - delta, reference))

    def _copy_weights(self) -> list:
        # Copies, so later in-place updates of the variables cannot reach them.
        return [np.array(w, copy=True) for w in self.model.get_weights()]
