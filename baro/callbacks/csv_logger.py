"""CSVLogger: stream each epoch's logs to a CSV file."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable

import numpy as np

from baro.callbacks.callback import Callback, Logs


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not (isinstance(value, np.ndarray)
                                            and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Writes one CSV row per epoch: the epoch (from 0), then the logs by name.

    The columns are "epoch" followed by the first epoch's log keys in sorted
    order (plus any "val_*" names in `model.metrics_names` that the first epoch
    lacked); a missing value is written as "NA" and a 1-D value as
    `"[a, b, ...]"`. Each row is flushed as soon as it is written.

    Args:
        filename: Path of the CSV file, e.g. "run/log.csv".
        separator: Column separator (default ",").
        append: Append to an existing file, writing the header only if the file
            is empty (default False: overwrite).

    Raises:
        ValueError: If `separator` is not a single character.

    Example:
        >>> import os, tempfile
        >>> from baro.callbacks import CallbackList
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> callbacks = CallbackList([CSVLogger(path)])
        >>> callbacks.on_train_begin()
        >>> callbacks.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
        >>> callbacks.on_train_end()
        >>> print(open(path).read().strip())
        epoch,accuracy,loss
        0,0.75,0.5
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                "CSVLogger expects a one-character separator, received "
                f"separator={separator!r}."
            )
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self.writer = None
        self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs: Logs | None = None) -> None:
        mode = "w"
        self.append_header = True
        if self.append:
            mode = "a"
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as existing:
                    self.append_header = not existing.readline()
        self._close()
        self.csv_file = open(self.filename, mode, newline="",
                             encoding="utf-8")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            # Validation runs only on some epochs (validation_freq): reserve
            # their columns from the start.
            for name in getattr(self.model, "metrics_names", None) or ():
                if name.startswith("val_") and name not in self.keys:
                    self.keys.append(name)
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, ["epoch", *self.keys],
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._close()
        self.writer = None

    def _close(self) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
