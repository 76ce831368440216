"""Recording which Functions a computation applies, to replay them later.

While a `trace()` is open, `Function.apply` appends `(function, inputs, outputs)`
for every op it runs. `baro.core.plan.Plan` turns such a record into a flat list
of steps that recomputes the same values from new inputs without Tensors, graph
bookkeeping or Python wrapper logic (TF1 `Session.run`, compiled training steps).
"""

from __future__ import annotations

from contextlib import contextmanager


class Record(list):
    """What a trace collected: `(function, inputs, outputs)` triples, and in
    `configs` each Function's attributes just before its forward ran (keyed by
    `id(function)`), which `Plan.same_as` compares between two traces."""

    def __init__(self) -> None:
        super().__init__()
        self.configs: dict[int, dict] = {}


# The open record, or None. Read once per op by Function.apply.
active: Record | None = None
# Why the open trace cannot be replayed (Python read a value, a variable was
# assigned something computed outside the trace), first reason first.
impure: list[str] = []


def note_impure(reason: str) -> None:
    """Marks the open trace as not replayable (no-op when none is open)."""
    if active is not None:
        impure.append(reason)


@contextmanager
def trace():
    """Collects `(function, inputs, outputs)` for every op applied inside.

    Example:
        >>> import baro
        >>> from baro.core import tracing
        >>> with tracing.trace() as record:
        ...     y = baro.constant([1.0, 2.0]) * 3.0 + 1.0
        >>> [type(f).__name__ for f, _, _ in record]
        ['Multiply', 'Add']
    """
    global active, impure
    previous, previous_impure = active, impure
    active, impure = Record(), []
    try:
        yield active
    finally:
        active, impure = previous, previous_impure


# `tf.config.run_functions_eagerly`: when set, `fit` does not compile its step
# (and `tf.function` never traces; baro's always runs eagerly anyway).
_state = {"run_eagerly": False}


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Sets whether compiled functions and `fit` steps run eagerly
    (`tf.config.run_functions_eagerly`).

    Example:
        >>> from baro.core.tracing import functions_run_eagerly, run_functions_eagerly
        >>> run_functions_eagerly(True); functions_run_eagerly()
        True
        >>> run_functions_eagerly(False)
    """
    _state["run_eagerly"] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    """The flag last given to `run_functions_eagerly` (default False)."""
    return _state["run_eagerly"]
