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

import ctypes
import datetime
import glob
import importlib
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

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
            log: Callable[[str], None] = print) -> list[Outcome]:
    """Warms every variant up, then alternates `repeats` timed rounds.

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
    for rep in range(repeats):
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
            log(f"  rep {rep + 1}/{repeats} {outcome.variant.key:28s} "
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


def openblas_info() -> dict[str, str]:
    """OpenBLAS core and thread count as NumPy's bundled library reports them."""
    info: dict[str, str] = {}
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                info["BLAS threads"] = str(pool.get("num_threads"))
                info["BLAS core"] = str(pool.get("architecture"))
                return info
    except ImportError:
        pass
    folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""),
                               ("openblas_", "64_"), ("openblas_", "")):
            core = getattr(lib, f"{prefix}get_corename{suffix}", None)
            threads = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
            if core is None or threads is None:
                continue
            core.restype = ctypes.c_char_p
            threads.restype = ctypes.c_int
            info["BLAS threads"] = str(threads())
            info["BLAS core"] = core().decode()
            return info
    return info


def machine_details(peers: Peers) -> dict[str, str]:
    """CPU, memory, threads, library versions and the baro commit, for the report."""
    details = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo
                     if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    details["CPU"] = cpu
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    details["cores usable"] = f"{cores} (os.cpu_count {os.cpu_count()})"
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        details["memory"] = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    details["OS"] = platform.platform()
    details["Python"] = platform.python_version()
    details["NumPy"] = np.__version__
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        details["NumPy BLAS"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001 - older NumPy: no dict mode
        pass
    details.update(openblas_info())
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        details[var] = os.environ.get(var, "unset")
    import baro

    details["baro"] = f"{getattr(baro, '__version__', '?')} {git_commit()}"
    torch = peers.get("torch")
    if torch is not None:
        blas = "MKL" if torch.backends.mkl.is_available() else "other BLAS"
        details["PyTorch"] = (f"{torch.__version__} ({blas}, "
                              f"{torch.get_num_threads()} intra-op threads)")
    jax = peers.get("jax")
    if jax is not None:
        details["JAX"] = f"{jax.__version__} ({jax.default_backend()})"
    keras = peers.get("keras")
    if keras is not None:
        details["Keras"] = f"{keras.__version__} (backend {keras.backend.backend()})"
    return details


def git_commit() -> str:
    """The checkout's commit, marked "+changes" when the tree differs from it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "(no git)"
    if head.returncode != 0:
        return "(no git)"
    return head.stdout.strip() + (" +changes" if dirty.stdout.strip() else "")


PEAK_SHAPES = ((1000, 784, 512), (128, 784, 512), (1000, 512, 512))


def matmul_peak(quick: bool, repeats: int = 15) -> dict[str, float]:
    """Median float32 matmul GFLOP/s (2mnk) of the MLP's shapes, in this process.

    Each repetition times enough products for ~20 ms; the peak the report uses is
    the best of these medians.
    """
    rng = np.random.default_rng(0)
    results = {}
    for m, k, n in PEAK_SHAPES:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        out = np.empty((m, n), np.float32)
        np.matmul(a, b, out=out)
        calls = 1 if quick else max(1, int(0.02 * 150e9 / (2 * m * k * n)))
        rates = []
        for _ in range(3 if quick else repeats):
            start = time.perf_counter()
            for _ in range(calls):
                np.matmul(a, b, out=out)
            rates.append(2 * m * k * n * calls / (time.perf_counter() - start) / 1e9)
        results[f"{m}x{k}@{k}x{n}"] = statistics.median(rates)
    return results


def python_command(code: str) -> list[str]:
    """The argv that runs `code` in a fresh interpreter like this one."""
    return [sys.executable, "-c", code]
