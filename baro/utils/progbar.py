"""Progbar: the Keras-style progress line printed by fit / evaluate / predict."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

# The done part of the bar; the remaining part is drawn dimmed in a terminal
# (Keras's look) and with a light rule in logs, where colours would be noise.
_DONE = "━"
_TODO = "─"
_GREEN = "\x1b[32m"
_GREY = "\x1b[37m"
_RESET = "\x1b[0m"


def _dynamic_display() -> bool:
    """True when one line can be redrawn in place: a terminal or Jupyter."""
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        tty = bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        tty = False
    return tty or "ipykernel" in sys.modules


def _format_value(value) -> str:
    if isinstance(value, str):
        return value
    # Keras switches to scientific notation for small magnitudes (incl. 0).
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_eta(seconds: float) -> str:
    whole = int(seconds)
    if seconds > 3600:
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if seconds > 60:
        return f"{whole // 60}:{whole % 60:02d}"
    return f"{whole}s"


def _format_rate(seconds: float, unit_name: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


class Progbar:
    """Displays a progress bar, one line per run, as Keras does.

    With `verbose=1` the line looks like
    `12/50 ━━━━━━━━━━━━━━━━━━━━ 1s 25ms/step - accuracy: 0.5000 - loss: 0.6931`:
    step count, bar, then the estimated time left while running
    (`eta = time_per_step * (target - current)`) or the elapsed time once
    finished, the time per step (the first step, usually slow, is left out of
    the estimate once there are more), and the metrics. In a terminal or Jupyter
    the line is redrawn in place with "\\r"; elsewhere (logs, pipes) only the
    final line is printed. `verbose=2` prints one line at the end,
    `12/12 - 1s - 25ms/step - loss: 0.6931`; `verbose=0` prints nothing.

    A metric not in `stateful_metrics` is shown as its mean over steps,
    weighted by the number of steps each update covers:
    `mean = sum_i(v_i * n_i) / sum_i(n_i)`. Stateful metrics (already running
    averages, such as the logs `fit` passes) are shown as given.

    Args:
        target: Total number of steps, or None if unknown (then the count reads
            `7/Unknown` and no time left is estimated).
        width: Width of the bar in characters (default 20).
        verbose: 0 (silent), 1 (bar) or 2 (one line at the end) (default 1).
        interval: Minimum seconds between two redraws of the line (default 0.05).
        stateful_metrics: Names of metrics shown as given, not averaged
            (default None: all are averaged).
        unit_name: Name of a step in the time per step (default "step").

    Raises:
        ValueError: If `target` is negative, `width` is not positive or
            `verbose` is not 0, 1 or 2.

    Example:
        >>> bar = Progbar(3, verbose=2)
        >>> for step in range(1, 4):
        ...     bar.update(step, [("loss", 1.0 / step)])  # doctest: +ELLIPSIS
        3/3 - 0s - ...s/step - loss: 0.6111
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05,
                 stateful_metrics: Iterable[str] | None = None,
                 unit_name: str = "step") -> None:
        if target is not None and target < 0:
            raise ValueError(
                f"Progbar expects target >= 0 or None (unknown), received {target}."
            )
        if width < 1:
            raise ValueError(f"Progbar expects width >= 1, received {width}.")
        if verbose not in (0, 1, 2):
            raise ValueError(
                f"Progbar expects verbose in (0, 1, 2), received {verbose!r}."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._dynamic_display = _dynamic_display()
        # name -> [weighted sum, weight]; insertion order is display order.
        self._values: dict[str, list] = {}
        self._seen_so_far = 0
        self._start = time.monotonic()
        self._last_update = -math.inf
        self._time_after_first_step: float | None = None
        self._prev_width = 0

    def update(self, current: int,
               values: Iterable[tuple[str, Any]] | Mapping[str, Any] | None = None,
               finalize: bool | None = None) -> None:
        """Moves the bar to step `current` and records metric values.

        Args:
            current: Index of the current step (1-based: steps done so far).
            values: `[(name, value), ...]` or a dict of the values at this step.
            finalize: Whether this is the last update (default None: when
                `current >= target`, never for an unknown target).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        items = values.items() if isinstance(values, Mapping) else (values or ())
        weight = max(current - self._seen_so_far, 1)
        for name, value in items:
            if not isinstance(value, str):
                value = float(np.mean(value))
            if name in self.stateful_metrics or isinstance(value, str):
                self._values[name] = [value, 1]
            elif name in self._values:
                self._values[name][0] += value * weight
                self._values[name][1] += weight
            else:
                self._values[name] = [value * weight, weight]
        self._seen_so_far = current

        now = time.monotonic()
        time_per_step = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if not finalize and (not self._dynamic_display
                                 or now - self._last_update < self.interval):
                return
            self._write_line(current, now, time_per_step, finalize)
        elif self.verbose == 2 and finalize:
            count = self._count(current)
            line = (f"{count} - {now - self._start:.0f}s - "
                    f"{_format_rate(time_per_step, self.unit_name)}"
                    f"{self._metrics()}\n")
            sys.stdout.write(line)
            sys.stdout.flush()
        self._last_update = now

    def add(self, n: int,
            values: Iterable[tuple[str, Any]] | Mapping[str, Any] | None = None
            ) -> None:
        """Advances the bar by `n` steps (see `update`)."""
        self.update(self._seen_so_far + n, values)

    def _count(self, current: int) -> str:
        if not self.target:
            padded = f"{current:>7}" if self.verbose == 1 else f"{current}"
            return f"{padded}/Unknown"
        digits = int(math.log10(self.target)) + 1
        return f"{current:>{digits}}/{self.target}"

    def _metrics(self) -> str:
        parts = []
        for name, (total, count) in self._values.items():
            value = total if isinstance(total, str) else total / max(count, 1)
            parts.append(f" - {name}: {_format_value(value)}")
        return "".join(parts)

    def _write_line(self, current: int, now: float, time_per_step: float,
                    finalize: bool) -> None:
        head = plain_head = self._count(current)
        if self.target:
            done = min(int(self.width * current / self.target), self.width)
            todo = self.width - done
            plain_head += " " + _DONE * done + _TODO * todo
            if self._dynamic_display:
                head += " "
                head += f"{_GREEN}{_DONE * done}{_RESET}" if done else ""
                head += f"{_GREY}{_DONE * todo}{_RESET}" if todo else ""
            else:
                head = plain_head
        if self.target and not finalize:
            clock = _format_eta(time_per_step * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        tail = (f" {clock} {_format_rate(time_per_step, self.unit_name)}"
                f"{self._metrics()}")
        if not self._dynamic_display:
            sys.stdout.write(head + tail + "\n")
            sys.stdout.flush()
            return
        # Pad with spaces so a shorter line fully covers the one it replaces.
        width = len(plain_head) + len(tail)
        padding = " " * max(self._prev_width - width, 0)
        self._prev_width = width
        sys.stdout.write("\r" + head + tail + padding + ("\n" if finalize else ""))
        sys.stdout.flush()

    def _estimate_step_duration(self, current: int, now: float) -> float:
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration
