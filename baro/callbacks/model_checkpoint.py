"""ModelCheckpoint: save the model or its weights during training."""

from __future__ import annotations

import operator
import os
import warnings

import numpy as np

from baro.callbacks.callback import Callback, Logs, check_mode, resolve_mode


class ModelCheckpoint(Callback):
    """Saves the model (or its weights) every epoch or every `save_freq` batches.

    `filepath` may hold `str.format` fields filled from `epoch` (1-based),
    `batch` (1-based, when saving per batch) and the logs, e.g.
    `"model-{epoch:02d}-{val_loss:.2f}.weights.safetensors"`. With
    `save_best_only`, a save happens only when `monitor` improves on the best
    value so far (`v < best` in "min" mode, `v > best` in "max" mode; the first
    value always does unless `initial_value_threshold` is given); a fixed
    `filepath` then always holds the best model. Saving calls
    `model.save(path, overwrite=True)`, or `model.save_weights(path,
    overwrite=True)` with `save_weights_only`; missing folders are created.

    Args:
        filepath: Path or template of the file to write.
        monitor: Logged quantity that decides "best" (default "val_loss").
        verbose: 1 prints a message on each save decision (default 0).
        save_best_only: Save only improvements of `monitor` (default False).
        save_weights_only: Save weights instead of the whole model
            (default False).
        mode: "min", "max" or "auto" (default; inferred from the name).
        save_freq: "epoch" (default) or a number of batches between saves.
        initial_value_threshold: Starting "best" value to beat (default None).

    Raises:
        ValueError: If `save_freq` is neither "epoch" nor a positive integer, or
            `mode` is not "auto", "min" or "max".
        KeyError: At save time, if `filepath` names a field missing from the logs.

    Example:
        >>> import os, tempfile
        >>> from baro.callbacks import CallbackList
        >>> class Model:
        ...     def save_weights(self, filepath, overwrite=True):
        ...         open(filepath, "w").close()
        >>> folder = tempfile.mkdtemp()
        >>> path = os.path.join(folder, "w-{epoch:02d}-{loss:.2f}.weights.safetensors")
        >>> checkpoint = ModelCheckpoint(path, monitor="loss", save_best_only=True,
        ...                              save_weights_only=True)
        >>> callbacks = CallbackList([checkpoint], model=Model())
        >>> for epoch, loss in enumerate([0.9, 0.7, 0.8]):
        ...     callbacks.on_epoch_begin(epoch)
        ...     callbacks.on_epoch_end(epoch, {"loss": loss})
        >>> sorted(os.listdir(folder))
        ['w-01-0.90.weights.safetensors', 'w-02-0.70.weights.safetensors']
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss",
                 verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(
                f"ModelCheckpoint expects save_freq='epoch' or a positive integer "
                f"number of batches, received save_freq={save_freq!r}."
            )
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = check_mode("ModelCheckpoint", mode)
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self.monitor_op = None
        self._current_epoch = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch started
            self._batches_seen_since_last_saving += batch + 1
        else:
            self._batches_seen_since_last_saving += batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(
                f"ModelCheckpoint could not format filepath {self.filepath!r}: "
                f"no value for {error}. Available fields: {sorted(fields)}. Use "
                "only these names in the template."
            ) from None

    def _should_save(self, epoch: int, logs: Logs, filepath: str) -> bool:
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"ModelCheckpoint can save best model only with {self.monitor} "
                f"available; saving anyway. Available: {','.join(logs)}",
                stacklevel=3,
            )
            return True
        if np.ndim(current) > 0:
            warnings.warn(
                f"ModelCheckpoint can save best model only when `{self.monitor}` "
                f"is a scalar, received {current}. Saving anyway.",
                stacklevel=3,
            )
            return True
        if self.monitor_op is None:
            direction = resolve_mode(self, self.monitor, self.mode)
            self.monitor_op = operator.lt if direction == "min" else operator.gt
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self.best is None or self.monitor_op(current, self.best):
            self._say(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} "
                      f"to {current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: Logs | None) -> None:
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                f"ModelCheckpoint filepath {filepath!r} is an existing directory; "
                "pass a file path, e.g. 'ckpt/model.weights.safetensors'."
            )
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        self._say(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _say(self, message: str) -> None:
        if self.verbose > 0:
            print(message, flush=True)
