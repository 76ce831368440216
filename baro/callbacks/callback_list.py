"""CallbackList: one object that forwards every hook to a list of callbacks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from baro.callbacks.callback import Callback, Logs
from baro.callbacks.history import History
from baro.callbacks.progbar_logger import ProgbarLogger


def _flatten(callbacks) -> list:
    if isinstance(callbacks, (list, tuple)):
        return [item for entry in callbacks for item in _flatten(entry)]
    return [callbacks]


def _pythonify(logs: Logs) -> Logs:
    """Sorted copy of `logs` with nested dicts merged and numbers made floats."""
    result = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(_pythonify(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


class CallbackList(Callback):
    """Calls each hook on every callback in a list, in order.

    `fit`, `evaluate` and `predict` build one and call its hooks; it is also the
    way to drive callbacks from a custom training loop. Batch-end logs of
    training and evaluation are turned into Python floats, sorted by name, with
    nested dicts merged (Keras 3 does the same), so callbacks see plain numbers.

    Args:
        callbacks: A callback, or a (nested) list of callbacks (default None).
        add_history: Append a `History` if the list has none (default False);
            it is also set as `model.history`.
        add_progbar: Append a `ProgbarLogger` if the list has none (default False).
        model: The model, passed to every callback's `set_model` (default None).
        **params: Training parameters passed to every callback's `set_params`,
            e.g. `verbose=1, epochs=10, steps=100`.

    Raises:
        TypeError: If an entry is not a `Callback`.

    Example:
        >>> from baro.callbacks import LambdaCallback
        >>> seen = []
        >>> log_epochs = LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))
        >>> callbacks = CallbackList([log_epochs], epochs=2, steps=1, verbose=0)
        >>> for epoch in range(2):
        ...     callbacks.on_epoch_end(epoch, {"loss": 0.5})
        >>> seen
        [0, 1]
    """

    def __init__(self, callbacks: Callback | Iterable | None = None,
                 add_history: bool = False, add_progbar: bool = False,
                 model: Any = None, **params: Any) -> None:
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks is not None else []
        for callback in self.callbacks:
            _check_callback(callback)
        self._history = next(
            (cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next(
            (cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback: Callback) -> None:
        """Adds a callback at the end, giving it the current model and params."""
        _check_callback(callback)
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def set_params(self, params: dict) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    @property
    def uses_train_batch_hooks(self) -> bool:
        """Whether any callback overrides a training-batch hook.

        When none does, `fit` neither calls those hooks nor computes per-batch
        logs (Keras skips them the same way); the epoch's logs are computed once
        at its end.
        """
        names = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin",
                 "on_batch_end")
        return any(getattr(type(cb), name) is not getattr(Callback, name)
                   for cb in self.callbacks for name in names)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs or {})

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = _pythonify(logs or {})
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        # One dict shared by all, so entries a callback adds (ReduceLROnPlateau's
        # "learning_rate") reach the History and CSVLogger after it.
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs=logs or {})

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = _pythonify(logs or {})
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs=logs or {})

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = _pythonify(logs or {})
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs=logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs=logs or {})

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        # Prediction logs carry output arrays, which must stay arrays.
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs=logs or {})

    def on_train_begin(self, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_train_begin(logs or {})

    def on_train_end(self, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_train_end(logs or {})

    def on_test_begin(self, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_test_begin(logs or {})

    def on_test_end(self, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_test_end(logs or {})

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_predict_begin(logs or {})

    def on_predict_end(self, logs: Logs | None = None) -> None:
        for callback in self.callbacks:
            callback.on_predict_end(logs or {})


def _check_callback(callback) -> None:
    if not isinstance(callback, Callback):
        raise TypeError(
            "CallbackList expects baro.callbacks.Callback instances, received "
            f"{callback!r} of type {type(callback).__name__}. Subclass "
            "baro.callbacks.Callback, or wrap functions in LambdaCallback."
        )
