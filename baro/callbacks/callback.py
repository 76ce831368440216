"""Callback: the base class whose hooks fit / evaluate / predict call."""

from __future__ import annotations

from typing import Any

Logs = dict[str, Any]

# Metric-name tokens whose direction is known, for `mode="auto"` when the model's
# metrics do not say (`metric._direction`, as Keras 3 metrics do).
_MAX_TOKENS = {"acc", "accuracy", "auc", "precision", "recall", "f1", "fbeta",
               "iou", "r2", "similarity", "sensitivity", "specificity"}
_MIN_TOKENS = {"loss", "error", "crossentropy", "hinge", "divergence", "poisson",
               "logcosh", "cosh", "mse", "mae", "mape", "msle", "rmse"}


class Callback:
    """Base class of callbacks: every hook of the Keras 3 training loop.

    `fit` calls, in order: `on_train_begin`; per epoch `on_epoch_begin(epoch)`,
    per batch `on_train_batch_begin(batch)` / `on_train_batch_end(batch, logs)`
    (logs hold running averages), the validation pass (`on_test_*`), then
    `on_epoch_end(epoch, logs)` with "loss", the metrics and "val_*" entries;
    finally `on_train_end`. `evaluate` calls the `on_test_*` hooks and `predict`
    the `on_predict_*` hooks. `on_train_batch_begin/end` also call the legacy
    aliases `on_batch_begin/end`, so overriding either works. Epochs and batches
    are counted from 0.

    Attributes:
        params: Dict of training parameters (`verbose`, `epochs`, `steps`), or None.
        model: The model being trained (read-only; set by `set_model`).

    Example:
        >>> class CountEpochs(Callback):
        ...     def on_train_begin(self, logs=None):
        ...         self.count = 0
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.count += 1
        >>> counter = CountEpochs()
        >>> counter.on_train_begin()
        >>> for epoch in range(3):
        ...     counter.on_epoch_end(epoch, {"loss": 1.0})
        >>> counter.count
        3
    """

    def __init__(self) -> None:
        self.params: dict | None = None
        self._model = None

    def set_params(self, params: dict) -> None:
        """Stores the training parameters (`verbose`, `epochs`, `steps`)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Stores the model the hooks act on."""
        self._model = model

    @property
    def model(self):
        """The model being trained, evaluated or used for prediction."""
        return self._model

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Legacy alias, called by `on_train_batch_begin`."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Legacy alias, called by `on_train_batch_end`."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the start of epoch `epoch` (0-based) of `fit`."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the end of an epoch; `logs` holds its metrics and val_*."""

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before training batch `batch` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after a training batch; `logs` holds running averages."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before a batch of `evaluate` (or of validation in `fit`)."""

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after a batch of `evaluate`; `logs` holds running averages."""

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before a batch of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after a batch of `predict`; `logs` holds its outputs."""

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once at the start of `fit`."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once at the end of `fit` with the last epoch's logs."""

    def on_test_begin(self, logs: Logs | None = None) -> None:
        """Called at the start of `evaluate` (or of validation in `fit`)."""

    def on_test_end(self, logs: Logs | None = None) -> None:
        """Called at the end of `evaluate` with its final logs."""

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: Logs | None = None) -> None:
        """Called at the end of `predict`."""


HOOK_NAMES = tuple(name for name in vars(Callback) if name.startswith("on_"))


def _model_metrics(model) -> list:
    metrics = []
    for metric in getattr(model, "metrics", None) or ():
        # Compiled-metric containers hold the user's metrics one level down.
        inner = getattr(metric, "metrics", None)
        metrics.extend(inner if isinstance(inner, (list, tuple)) else [metric])
    return metrics


def resolve_mode(callback: Callback, monitor: str, mode: str,
                 default: str | None = None) -> str:
    """Returns "min" or "max": the direction in which `monitor` improves.

    `mode` "min"/"max" is returned as is. For "auto", a model metric named like
    `monitor` (without "val_") that declares `_direction` "up"/"down" decides;
    otherwise its name does ("loss", "*_error", "crossentropy" -> min;
    "accuracy", "acc", "auc", "precision", "recall", "f1", "iou" -> max).

    Raises:
        ValueError: If the direction cannot be inferred and `default` is None.
    """
    if mode in ("min", "max"):
        return mode
    name = monitor.removeprefix("val_")
    for metric in _model_metrics(callback.model):
        direction = getattr(metric, "_direction", None)
        if getattr(metric, "name", None) == name and direction in ("up", "down"):
            return "max" if direction == "up" else "min"
    tokens = set(name.lower().split("_"))
    if tokens & _MIN_TOKENS:
        return "min"
    if tokens & _MAX_TOKENS:
        return "max"
    if default is not None:
        return default
    raise ValueError(
        f"{type(callback).__name__} received monitor={monitor!r}, but cannot tell "
        "whether it should be maximized or minimized. Pass mode='max' to track "
        "its highest value or mode='min' to track its lowest."
    )


def check_mode(callback_name: str, mode: str) -> str:
    """Returns `mode` if it is "auto", "min" or "max", else raises ValueError."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(
            f"{callback_name} expects mode 'auto', 'min' or 'max', received "
            f"{mode!r}."
        )
    return mode
