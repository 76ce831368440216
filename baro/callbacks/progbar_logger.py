"""ProgbarLogger: prints the progress bar and metrics of fit / evaluate / predict."""

from __future__ import annotations

import sys

from baro.callbacks.callback import Callback, Logs
from baro.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints progress and metrics to stdout, as `fit(verbose=...)` does in Keras.

    For `fit` with more than one epoch each epoch starts with an
    `Epoch 3/10` line, then one bar per epoch whose final line holds the epoch's
    logs (including "val_*"); validation inside `fit` draws no bar of its own.
    `evaluate` and `predict` draw one bar each. `params["verbose"]` picks the
    style: 1 is a live bar (see `baro.utils.Progbar`), 2 one line per epoch,
    0 nothing. `params["steps"]` is the bar's target (None when unknown, in
    which case the count of batches seen becomes the target at the end).

    The batch logs that `fit` passes are running averages already, so they are
    shown as given rather than averaged again.

    Example:
        >>> from baro.callbacks import CallbackList
        >>> callbacks = CallbackList([ProgbarLogger()], epochs=1, steps=2, verbose=2)
        >>> callbacks.on_train_begin()
        >>> callbacks.on_epoch_begin(0)
        >>> for batch in range(2):
        ...     callbacks.on_train_batch_end(batch, {"loss": 0.5})
        >>> callbacks.on_epoch_end(0, {"loss": 0.5})  # doctest: +ELLIPSIS
        2/2 - 0s - ...s/step - loss: 0.5000
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs: Logs | None = None) -> None:
        # Inside `fit` the validation pass stays silent: its results appear on
        # the epoch's final line as "val_*".
        self._called_in_fit = True

    def on_test_begin(self, logs: Logs | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._reset_progbar()

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        # Prediction logs are output arrays, not metrics to print.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose,
                               unit_name="step")

    def _update_progbar(self, batch: int, logs: Logs | None) -> None:
        if self.progbar is None:
            self._reset_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            logs = logs or {}
            self.progbar.stateful_metrics.update(logs)
            self.progbar.update(self.seen, list(logs.items()), finalize=False)

    def _finalize_progbar(self, logs: Logs | None) -> None:
        if self.progbar is None:
            self._reset_progbar()
        logs = logs or {}
        if self.target is None:
            # Later epochs know their length from the first one.
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.stateful_metrics.update(logs)
        self.progbar.update(self.progbar.target, list(logs.items()), finalize=True)
