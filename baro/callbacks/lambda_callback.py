"""LambdaCallback: a callback assembled from plain functions."""

from __future__ import annotations

from collections.abc import Callable

from baro.callbacks.callback import HOOK_NAMES, Callback


class LambdaCallback(Callback):
    """Builds a callback from functions, one per hook, without subclassing.

    Each function takes the hook's arguments: `on_epoch_begin(epoch, logs)`,
    `on_epoch_end(epoch, logs)`, `on_train_begin(logs)`, `on_train_end(logs)`,
    `on_train_batch_begin(batch, logs)`, `on_train_batch_end(batch, logs)`;
    any other hook of `Callback` (`on_test_end=...`, `on_predict_batch_end=...`,
    the legacy `on_batch_end=...`) can be given by keyword too.

    Args:
        on_epoch_begin: Called at the start of every epoch (default None).
        on_epoch_end: Called at the end of every epoch (default None).
        on_train_begin: Called at the start of training (default None).
        on_train_end: Called at the end of training (default None).
        on_train_batch_begin: Called before every training batch (default None).
        on_train_batch_end: Called after every training batch (default None).
        **kwargs: Functions for other hooks, by hook name.

    Raises:
        TypeError: If a keyword is not a hook name or a value is not callable.

    Example:
        >>> from baro.callbacks import CallbackList
        >>> losses = []
        >>> record = LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> callbacks = CallbackList([record])
        >>> callbacks.on_epoch_end(0, {"loss": 0.25})
        >>> losses
        [0.25]
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        super().__init__()
        unknown = sorted(set(kwargs) - set(HOOK_NAMES))
        if unknown:
            raise TypeError(
                f"LambdaCallback got unknown hook name(s) {unknown}; valid names "
                f"are {list(HOOK_NAMES)}."
            )
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin,
                     on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(
                    f"LambdaCallback expects a callable for {name}, received "
                    f"{function!r}."
                )
            # An instance attribute shadows the no-op method of the base class.
            setattr(self, name, function)
