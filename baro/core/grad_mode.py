"""Whether new operations record a graph for backpropagation."""

from __future__ import annotations

from contextlib import contextmanager

# A plain module attribute: the hot path (Function.apply) reads it once per op.
enabled = True


def is_grad_enabled() -> bool:
    """True when operations record the graph that backward needs."""
    return enabled


def set_grad_enabled(mode: bool) -> None:
    """Turns graph recording on or off globally."""
    global enabled
    enabled = bool(mode)


@contextmanager
def no_grad():
    """Context in which operations record no graph (inference, optimizer updates).

    Example:
        >>> import baro
        >>> w = baro.Variable([1.0, 2.0])
        >>> with baro.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """
    global enabled
    previous = enabled
    enabled = False
    try:
        yield
    finally:
        enabled = previous


@contextmanager
def enable_grad():
    """Context in which operations record the graph, even inside `no_grad`."""
    global enabled
    previous = enabled
    enabled = True
    try:
        yield
    finally:
        enabled = previous
