"""History: the per-epoch record that `fit` returns."""

from __future__ import annotations

from baro.callbacks.callback import Callback, Logs


class History(Callback):
    """Records every epoch's logs; `fit` returns this object.

    After epoch `e`, `history[k]` gains `logs[k]` for each key `k` and `epoch`
    gains `e`, so `history["loss"][i]` is the loss of the `i`-th epoch run.
    The object is also set as `model.history`.

    Attributes:
        history: Dict mapping each log name ("loss", "val_loss", ...) to a list
            with one value per epoch.
        epoch: List of the epoch indices recorded (0-based).

    Example:
        >>> history = History()
        >>> history.on_train_begin()
        >>> for epoch, loss in enumerate([0.9, 0.5]):
        ...     history.on_epoch_end(epoch, {"loss": loss})
        >>> history.history, history.epoch
        ({'loss': [0.9, 0.5]}, [0, 1])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        # Set after each epoch, as Keras does, so the model always points at the
        # latest record even when a callback replaced `model.history`.
        model = self.model
        if model is not None and getattr(model, "history", None) is not self:
            model.history = self
