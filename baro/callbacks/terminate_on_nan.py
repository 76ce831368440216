"""TerminateOnNaN: stop training as soon as the loss is NaN or infinite."""

from __future__ import annotations

import math

from baro.callbacks.callback import Callback, Logs


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or +-inf.

    After each training batch, `logs["loss"]` is checked; a non-finite value
    sets `model.stop_training = True` (the epoch ends and `on_train_end` runs),
    or raises at once with `raise_error=True`.

    Args:
        raise_error: Raise RuntimeError instead of stopping gracefully, so that
            no `on_train_end` cleanup (e.g. BackupAndRestore deleting its
            backup) runs (default False).

    Raises:
        RuntimeError: On a non-finite loss, when `raise_error` is True.

    Example:
        >>> from baro.callbacks import CallbackList
        >>> class Model:
        ...     stop_training = False
        >>> model = Model()
        >>> callbacks = CallbackList([TerminateOnNaN()], model=model)
        >>> callbacks.on_train_batch_end(0, {"loss": 0.5})
        >>> callbacks.on_train_batch_end(1, {"loss": float("nan")})
        Batch 1: Invalid loss, terminating training
        >>> model.stop_training
        True
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True
