"""Recording which Functions a computation applies, to replay them later.

While a `trace()` is open, `Function.apply` appends `(function, inputs, outputs)`
for every op it runs. `baro.core.plan.Plan` turns such a record into a flat list
of steps that recomputes the same values from new inputs without Tensors, graph
bookkeeping or Python wrapper logic (TF1 `Session.run`, compiled training steps).
"""

from __future__ import annotations

from contextlib import contextmanager

# The open record (a list), or None. Read once per op by Function.apply.
active: list | None = None


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
    global active
    previous = active
    active = []
    try:
        yield active
    finally:
        active = previous
