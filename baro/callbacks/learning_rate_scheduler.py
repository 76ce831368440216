"""LearningRateScheduler: set the learning rate from a function of the epoch."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from baro.callbacks.callback import Callback, Logs


def _takes_learning_rate(schedule: Callable) -> bool:
    """Whether `schedule` accepts two positional arguments (epoch, lr)."""
    try:
        parameters = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return True
    positional = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY,
                              parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


class LearningRateScheduler(Callback):
    """Sets `optimizer.learning_rate = schedule(epoch, lr)` at each epoch start.

    `schedule` takes the epoch index (from 0) and the current learning rate
    (a Python float) and returns the new rate; a one-argument
    `schedule(epoch)` is accepted too. The rate in use is also written into the
    epoch logs as "learning_rate".

    Args:
        schedule: `schedule(epoch, lr) -> float` or `schedule(epoch) -> float`.
        verbose: 1 prints the new rate at each epoch (default 0).

    Raises:
        TypeError: If `schedule` is not callable.
        ValueError: If the optimizer has no `learning_rate`, or `schedule`
            returns something other than a float.

    Example:
        >>> from baro.callbacks import CallbackList
        >>> class Optimizer:
        ...     learning_rate = 0.1
        >>> class Model:
        ...     optimizer = Optimizer()
        >>> model = Model()
        >>> halve = LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)
        >>> callbacks = CallbackList([halve], model=model)
        >>> for epoch in range(3):
        ...     callbacks.on_epoch_begin(epoch)
        >>> model.optimizer.learning_rate
        0.025
    """

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler expects a callable schedule(epoch, lr) or "
                f"schedule(epoch), received {schedule!r}."
            )
        self.schedule = schedule
        self.verbose = verbose
        self._with_lr = _takes_learning_rate(schedule)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError(
                "LearningRateScheduler needs an optimizer with a `learning_rate` "
                f"attribute, received {type(optimizer).__name__}."
            )
        if self._with_lr:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        else:
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, np.ndarray) and learning_rate.ndim == 0:
            learning_rate = learning_rate[()]
        if not isinstance(learning_rate, (float, np.floating)):
            raise ValueError(
                "LearningRateScheduler: the schedule must return a float, received "
                f"{learning_rate!r} of type {type(learning_rate).__name__} at epoch "
                f"{epoch}. Return e.g. float(value)."
            )
        optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning "
                  f"rate to {float(learning_rate)}.", flush=True)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
