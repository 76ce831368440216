"""Whether new operations record a graph for backpropagation."""

from __future__ import annotations

from contextlib import ContextDecorator

# A plain module attribute: the hot path (Function.apply) reads it once per op.
enabled = True


def is_grad_enabled() -> bool:
    """True when operations record the graph that backward needs."""
    return enabled


def set_grad_enabled(mode: bool) -> None:
    """Turns graph recording on or off globally."""
    global enabled
    enabled = bool(mode)


class _GradMode(ContextDecorator):
    """Sets `enabled` for the block and restores it after (a class rather than
    a generator context: entered on every optimizer step and compiled replay,
    where a generator's setup costs more than the work it guards).

    One instance may be entered again before it exits (a decorated function
    that recurses, or runs on two threads): the previous states form a stack.
    """

    mode = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self):
        global enabled
        self._previous.append(enabled)
        enabled = self.mode

    def __exit__(self, *exc) -> None:
        global enabled
        enabled = self._previous.pop()


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

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Context in which operations record the graph, even inside `no_grad`."""

    mode = True
