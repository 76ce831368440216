"""Whether new operations record a graph for backpropagation."""

from __future__ import annotations

import threading
from contextlib import ContextDecorator


class _Mode(threading.local):
    """Per thread, as in PyTorch: one thread predicting under `no_grad` must
    not stop another thread's training from recording. The hot path
    (Function.apply) reads `mode.enabled` once per op."""

    enabled = True

    def __init__(self) -> None:  # runs once in each thread that uses `mode`
        # The states saved by the contexts entered in this thread, innermost
        # last: contexts nest within a thread, whichever instances they are.
        self.saved: list[bool] = []


mode = _Mode()
_state = mode  # the same object, for functions whose argument is named `mode`


def is_grad_enabled() -> bool:
    """True when operations record the graph that backward needs (this thread)."""
    return mode.enabled


def set_grad_enabled(mode: bool) -> None:
    """Turns graph recording on or off for the calling thread."""
    _state.enabled = bool(mode)


class _GradMode(ContextDecorator):
    """Sets `enabled` for the block and restores it after (a class rather than
    a generator context: entered on every optimizer step and compiled replay,
    where a generator's setup costs more than the work it guards).

    The previous state goes on the thread's stack, not on the instance, so one
    instance may be entered again before it exits (a decorated function that
    recurses, or runs on two threads).
    """

    setting = True

    def __enter__(self):
        mode.saved.append(mode.enabled)
        mode.enabled = self.setting

    def __exit__(self, *exc) -> None:
        mode.enabled = mode.saved.pop()


class no_grad(_GradMode):  # noqa: N801 (lowercase, as in PyTorch and TF)
    """Context in which operations record no graph (inference, optimizer updates).

    Example:
        >>> import baro
        >>> w = baro.Variable([1.0, 2.0])
        >>> with baro.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    setting = False


class enable_grad(_GradMode):  # noqa: N801
    """Context in which operations record the graph, even inside `no_grad`."""

    setting = True
