"""BackupAndRestore: resume an interrupted `fit` from its last backup."""

from __future__ import annotations

import json
import os

from baro.callbacks.callback import Callback, Logs

WEIGHTS_FILE = "latest.weights.safetensors"
METADATA_FILE = "training_metadata.json"
# Temporary names keep the weights extension, since save_weights may check it.
_PENDING_WEIGHTS = "_pending.weights.safetensors"
_PENDING_METADATA = "_pending_training_metadata.json"


class BackupAndRestore(Callback):
    """Backs up weights and progress so a restarted `fit` continues where it died.

    At the end of every epoch (or every `save_freq` batches) the weights go to
    `backup_dir/latest.weights.safetensors` (via `model.save_weights`) and the
    number of finished epochs to `backup_dir/training_metadata.json`; each is
    written to a temporary file first and moved into place with `os.replace`,
    so a crash mid-write leaves the previous backup intact. At the start of
    `fit`, an existing backup is loaded (`model.load_weights`) and
    `model._initial_epoch` is set to the number of finished epochs, so training
    resumes with the next one. A `fit` that finishes deletes the backup when
    `delete_checkpoint` is True; an interrupted one (an exception) keeps it.

    The backup is only valid for the same model and the same `fit` arguments.

    Args:
        backup_dir: Folder for the backup files, used by nothing else.
        save_freq: "epoch" (default) or a number of batches between backups.
            Batch backups resume at the start of the interrupted epoch.
        delete_checkpoint: Delete the backup when training ends normally
            (default True).

    Raises:
        ValueError: If `backup_dir` is empty or `save_freq` is neither "epoch"
            nor a positive integer.

    Example:
        >>> import tempfile
        >>> from baro.callbacks import CallbackList
        >>> class Model:
        ...     _initial_epoch = 0
        ...     def save_weights(self, filepath, overwrite=True):
        ...         open(filepath, "w").close()
        ...     def load_weights(self, filepath):
        ...         pass
        >>> folder = tempfile.mkdtemp()
        >>> first = CallbackList([BackupAndRestore(folder)], model=Model())
        >>> first.on_train_begin()
        >>> for epoch in range(2):  # then the process dies
        ...     first.on_epoch_end(epoch, {"loss": 1.0})
        >>> model = Model()
        >>> CallbackList([BackupAndRestore(folder)], model=model).on_train_begin()
        >>> model._initial_epoch
        2
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str | int = "epoch",
                 delete_checkpoint: bool = True) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError(
                f"BackupAndRestore expects a backup_dir path, received {backup_dir!r}."
            )
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(
                "BackupAndRestore expects save_freq='epoch' or a positive integer "
                f"number of batches, received save_freq={save_freq!r}."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, WEIGHTS_FILE)
        self._metadata_path = os.path.join(self.backup_dir, METADATA_FILE)
        self._current_epoch = 0
        self._last_batch_seen = 0
        self._batches_seen_since_last_saving = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if os.path.exists(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._metadata_path):
            with open(self._metadata_path, encoding="utf-8") as file:
                metadata = json.load(file)
            self._current_epoch = int(metadata["epoch"])
            self.model._initial_epoch = self._current_epoch

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        if batch <= self._last_batch_seen:  # a new epoch started
            self._batches_seen_since_last_saving += batch + 1
        else:
            self._batches_seen_since_last_saving += batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save(epoch=self._current_epoch, batch=batch)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save(epoch=epoch + 1, batch=0)

    def on_train_end(self, logs: Logs | None = None) -> None:
        if not self.delete_checkpoint:
            return
        for name in (WEIGHTS_FILE, METADATA_FILE, _PENDING_WEIGHTS,
                     _PENDING_METADATA):
            path = os.path.join(self.backup_dir, name)
            if os.path.exists(path):
                os.remove(path)
        # Only our files are removed; the folder goes only if nothing else is in
        # it, so a mistaken backup_dir never loses the user's files.
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)

    def _save(self, epoch: int, batch: int) -> None:
        """Writes the backup; `epoch` is the number of finished epochs."""
        os.makedirs(self.backup_dir, exist_ok=True)
        pending_weights = os.path.join(self.backup_dir, _PENDING_WEIGHTS)
        pending_metadata = os.path.join(self.backup_dir, _PENDING_METADATA)
        self.model.save_weights(pending_weights, overwrite=True)
        with open(pending_metadata, "w", encoding="utf-8") as file:
            json.dump({"epoch": epoch, "batch": batch}, file)
            file.flush()
            os.fsync(file.fileno())
        # Weights first, then the epoch count: a crash between the two replaces
        # resumes one epoch early on newer weights, never ahead of them.
        os.replace(pending_weights, self._weights_path)
        os.replace(pending_metadata, self._metadata_path)
