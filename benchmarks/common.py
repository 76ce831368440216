"""Timing for the suite: variants, alternated repetitions, noise accounting, medians.

A workload offers *variants* (baro `fit`, PyTorch eager, a hand-written NumPy loop,
...). Each variant warms up once, then the repetitions alternate between variants
(the order reverses every repetition, so a slow drift of the machine hits all
alike). This machine is shared: every repetition records how many cores *other*
processes used meanwhile (from `/proc/stat`, minus this process's own CPU time,
BLAS threads included) and first waits, up to a limit, for a quiet window. A
repetition is *clean* if the foreign load stayed under `QUIET_CORES`; medians are
taken over clean repetitions when there are any (flagged when few).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

QUIET_CORES = 0.15  # foreign cores below which a repetition counts as clean

Notes = dict[str, object]


@dataclass
class Variant:
    """One way to run a workload.

    Attributes:
        framework: "baro", "torch", "numpy", "jax" or "keras".
        label: What runs, e.g. "fit", "Session", "eager".
        run: One timed repetition; returns (value in the workload's unit, notes).
            It times itself, so setup outside the timed region is excluded.
        warmup: Called once before timing (tracing, compilation, caches);
            defaults to one `run`.
        reference: The NumPy-loop or peer variant other rows are divided by.
    """

    framework: str
    label: str
    run: Callable[[], tuple[float, Notes]]
    warmup: Callable[[], object] | None = None
    reference: bool = False

    @property
    def key(self) -> str:
        return f"{self.framework} {self.label}"


@dataclass
class Outcome:
    """What the repetitions of one variant produced."""

    variant: Variant
    values: list[float] = field(default_factory=list)
    foreign: list[float | None] = field(default_factory=list)
    notes: Notes = field(default_factory=dict)
    error: str | None = None
    unavailable: str | None = None

    def clean_values(self) -> list[float]:
        return [v for v, f in zip(self.values, self.foreign, strict=True)
                if f is None or f < QUIET_CORES]

    def summary(self) -> tuple[float, float, float, str] | None:
        """(median, min, max, flag) over clean repetitions, else over all."""
        if not self.values:
            return None
        clean = self.clean_values()
        used = clean or self.values
        flag = ""
        if not clean:
            flag = "noisy"
        elif len(clean) * 2 < len(self.values):
            flag = "few clean"
        return statistics.median(used), min(used), max(used), flag


def _busy_seconds() -> float | None:
    """CPU seconds all processes spent busy so far (None off Linux)."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal: idle, iowait, steal are
    # not work done by a process of this machine.
    ticks = [int(v) for v in fields[:8]]
    busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
    return busy / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class LoadMeter:
    """Measures the cores other processes used while the block ran."""

    def __enter__(self) -> LoadMeter:
        self.foreign: float | None = None
        self._busy = _busy_seconds()
        self._own = _own_seconds()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        busy = _busy_seconds()
        wall = time.perf_counter() - self._wall
        if busy is None or self._busy is None or wall <= 0:
            return
        others = (busy - self._busy) - (_own_seconds() - self._own)
        # Tick granularity (10 ms) can make a short window read slightly negative.
        self.foreign = max(0.0, others / wall)


def wait_for_quiet(max_wait: float, window: float = 1.0) -> float | None:
    """Sleeps in `window`-second slices until one is quiet, at most `max_wait` s.

    Returns:
        The foreign load of the last window (None if it cannot be measured or
        `max_wait` is 0).
    """
    waited = 0.0
    load = None
    while waited < max_wait:
        with LoadMeter() as meter:
            time.sleep(window)
        waited += window
        load = meter.foreign
        if load is None or load < QUIET_CORES:
            break
    return load


def measure(variants: list[Variant], repeats: int, max_wait: float,
            log: Callable[[str], None] = print,
            extra_rounds: int = 0) -> list[Outcome]:
    """Warms every variant up, then alternates `repeats` timed rounds.

    While some variant has fewer than `repeats` clean repetitions, up to
    `extra_rounds` more rounds run (all variants, so alternation stays fair).
    A variant that raises is reported with its error and left out of later rounds,
    so one broken path does not hide the others' figures.
    """
    outcomes = [Outcome(v) for v in variants]
    for outcome in outcomes:
        variant = outcome.variant
        start = time.perf_counter()
        try:
            (variant.warmup or variant.run)()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            outcome.error = _describe(exc)
            log(f"  {variant.key}: warm-up failed: {outcome.error}")
            continue
        outcome.notes["warm-up s"] = round(time.perf_counter() - start, 3)
    for rep in range(repeats + extra_rounds):
        running = [o for o in outcomes if not o.error]
        if rep >= repeats and all(len(o.clean_values()) >= repeats
                                  for o in running):
            break
        order = outcomes if rep % 2 == 0 else outcomes[::-1]
        for outcome in order:
            if outcome.error:
                continue
            wait_for_quiet(max_wait)
            try:
                with LoadMeter() as meter:
                    value, notes = outcome.variant.run()
            except Exception as exc:  # noqa: BLE001 - reported in the table
                outcome.error = _describe(exc)
                log(f"  {outcome.variant.key}: failed: {outcome.error}")
                continue
            outcome.values.append(value)
            outcome.foreign.append(meter.foreign)
            outcome.notes.update(notes)
            load = "?" if meter.foreign is None else f"{meter.foreign:.2f}"
            log(f"  rep {rep + 1}/{repeats}{'+' if rep >= repeats else ''} "
                f"{outcome.variant.key:28s} "
                f"{value:12.4g}  (foreign cores {load})")
    return outcomes


def _describe(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return (f"{type(exc).__name__}: {exc} "
            f"({os.path.basename(where.filename)}:{where.lineno})")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def fmt(value: float | None, digits: int = 3) -> str:
    """A number with `digits` significant digits, plain notation when sensible."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 10 ** digits:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


@dataclass
class Target:
    """A goal from the issue: `variant`'s median against a reference.

    `against` is a variant key ("torch eager", "numpy loop"), "peak" (fraction of
    the measured matmul peak, at least `bound`) or "absolute" (at most `bound` in
    the workload's unit).
    """

    variant: str
    against: str
    bound: float


@dataclass
class Workload:
    """A benchmark: its variants, unit, repetitions and the issue's targets."""

    name: str
    title: str
    unit: str
    variants: Callable[[bool, Peers], list[Variant]]
    repeats: int
    description: str
    flops: float | None = None  # per unit of work (e.g. per epoch), 2mnk convention
    quick_flops: float | None = None
    targets: list[Target] = field(default_factory=list)
    unavailable: str | None = None  # set when the workload cannot run at all


class Peers:
    """The frameworks to compare with: installed ones, filtered by `--peers`.

    Keras 3 runs on the backend named by `KERAS_BACKEND`, else TensorFlow, else
    JAX; never on PyTorch unless asked (`KERAS_BACKEND=torch`), since PyTorch is
    measured directly.
    """

    def __init__(self, allowed: set[str] | None = None) -> None:
        self.allowed = allowed
        self._cache: dict[str, object] = {}

    def wants(self, name: str) -> bool:
        return self.allowed is None or name in self.allowed

    def get(self, name: str):
        """The imported module for `name` ("torch", "jax", "keras"), or None."""
        if not self.wants(name):
            return None
        if name not in self._cache:
            self._cache[name] = self._import(name)
        return self._cache[name]

    @staticmethod
    def _import(name: str):
        if name == "keras":
            backend = os.environ.get("KERAS_BACKEND")
            if backend is None:
                backend = next((b for b in ("tensorflow", "jax")
                                if importlib.util.find_spec(b)), None)
            if backend is None or importlib.util.find_spec("keras") is None:
                return None
            os.environ["KERAS_BACKEND"] = backend
        elif importlib.util.find_spec(name) is None:
            return None
        try:
            return importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken install counts as absent
            return None


def python_command(code: str) -> list[str]:
    """The argv that runs `code` in a fresh interpreter like this one."""
    return [sys.executable, "-c", code]
