"""Batch slices of one op on several threads, with BLAS kept to one thread each.

The convolution and pooling kernels walk the batch in independent slices (see
conv_kernels). NumPy releases the GIL inside its loops and matmuls, so slices
can run on several Python threads at once: the elementwise passes (im2col
copies, relu, masks, col2im adds, pooling), which NumPy runs on one core, then
use every core, as PyTorch's kernels do. BLAS must not spread each matmul over
the cores at the same time: OpenBLAS's worker threads spin while waiting for
each other, and with more runnable threads than cores a 2-thread matmul can
take ten times longer. So while slices run in parallel, OpenBLAS is limited to
one thread per call (restored after). Without a way to do that (no OpenBLAS
found, or another array module) slices run one after the other, and by
default also while OpenBLAS runs multithreaded (see `set_threads`), unless the
caller asks for threads anyway (`always=True`: whole RNN sequences, long enough
that BLAS's idle workers do not matter).

Results do not depend on the number of threads: every slice writes its own
part of the outputs, and per-slice partial sums are added in slice order by
the caller.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np

_MAX_THREADS = 8  # slices are few (a batch of 128 gives about 8)
_lock = threading.Lock()
_local = threading.local()  # `inside`: this thread runs a slice of map_slices
_state: dict = {"threads": None, "pool": None, "pid": None, "size": 0,
                "blas": None, "inside": 0, "saved": None, "sliced": 0}


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _find_openblas():
    """(get, set) thread-count functions of the OpenBLAS NumPy loaded, or None.

    Looked up in the process's mapped libraries (Linux); NumPy's wheels name
    them `scipy_openblas_*64_`, a system OpenBLAS `openblas_*`.
    """
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps
                            if "openblas" in line.rsplit("/", 1)[-1]})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", "_64", ""):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    return get, put
    return None


def set_threads(count: int | None) -> None:
    """Threads that one op's batch slices may use.

    Args:
        count: None (the default) decides per call: the usable cores (at most
            8) while OpenBLAS runs on one thread (OPENBLAS_NUM_THREADS=1, or
            inside `one_blas_thread`), else 1. A multithreaded OpenBLAS leaves
            its threads spinning for about 0.1 s after each matmul; they would
            take the cores from parallel slices (measured on the MNIST convnet:
            46 ms per batch instead of 29), so it keeps the parallelism to
            itself then. 1 runs slices one after the other; more forces that
            many threads.

    Raises:
        ValueError: For a count below 1.
    """
    if count is not None and count < 1:
        raise ValueError(f"set_threads: count must be None or >= 1, received "
                         f"{count!r}.")
    with _lock:
        _state["threads"] = count


def threads(always: bool = False) -> int:
    """How many threads `map_slices` uses for NumPy arrays now (`always`: see
    `map_slices`)."""
    blas = _blas()
    if blas is None:
        return 1
    count = _state["threads"]
    if count is None:
        if blas[0]() > 1 and not always:
            return 1
        count = min(_usable_cores(), _MAX_THREADS)
    return count


def sliced_calls() -> int:
    """How many times `map_slices` was given more than one slice (ever).

    Compiled training steps compare it before and after tracing a step: a
    step whose ops slice their batch then runs wholly under `one_blas_thread`,
    so that its other matmuls leave no spinning OpenBLAS thread behind to take
    the cores from the slices (the MNIST convnet: 1.4x PyTorch's step time
    with two BLAS threads, 0.97x with one).
    """
    return _state["sliced"]


def _blas():
    if _state["blas"] is None:
        _state["blas"] = _find_openblas() or False
    return _state["blas"] or None


def _pool(workers: int):
    # concurrent.futures loads on first use: `import baro` skips its ~3 ms.
    from concurrent.futures import ThreadPoolExecutor

    # A forked child inherits the executor but not its threads: start anew.
    pool = _state["pool"]
    if pool is None or _state["pid"] != os.getpid() or _state["size"] < workers:
        pool = _state["pool"] = ThreadPoolExecutor(
            workers, thread_name_prefix="baro-slices")
        _state["pid"], _state["size"] = os.getpid(), workers
    return pool


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Context in which OpenBLAS runs every call on one thread (uses nest, also
    across threads; the previous count comes back when the last one exits).

    Parallel slices need it; any op's matmuls can use it too, and should for
    matmuls too small to gain from two threads: after each multithreaded call
    OpenBLAS's idle threads spin for about 0.1 s (2**28 cycles), taking cores
    from the slices of the ops that follow. A no-op without OpenBLAS.
    """
    blas = _blas()
    if blas is None:
        yield
        return
    get, put = blas
    with _lock:
        if _state["inside"] == 0:
            _state["saved"] = get()
            put(1)
        _state["inside"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["inside"] -= 1
            if _state["inside"] == 0:
                put(_state["saved"])


def map_slices(make_work: Callable[[], Callable], parts: Sequence, xp=np,
               mark: bool = True, always: bool = False) -> list:
    """[work(part) for part in parts], the parts spread over threads.

    Args:
        make_work: Called once per thread; returns that thread's `work`, which
            may keep its own scratch buffers.
        parts: The slices, each handed to exactly one `work` call.
        xp: The array module; slices run in parallel for NumPy only.
        mark: Whether the call counts in `sliced_calls` (asks that a compiled
            step around it run with one BLAS thread). False for work that
            only profits when threads are free anyway (optimizer updates).
        always: Use threads even while OpenBLAS runs multithreaded (BLAS is
            held at one thread meanwhile, as always with threads). For ops
            long enough (whole RNN sequences, milliseconds) that the idle
            BLAS workers left spinning by earlier matmuls do not matter:
            measured no slower than with one BLAS thread throughout.

    Returns:
        The results in the order of `parts`.
    """
    if mark and len(parts) > 1:
        _state["sliced"] += 1
    # Inside a slice (an op run by another op's slice) the pool's workers may
    # all be busy with the outer call: queuing more work for them would wait
    # on itself, so nested calls run their slices in place.
    nested = getattr(_local, "inside", False)
    count = min(threads(always), len(parts)) if xp is np and not nested else 1
    if count <= 1:
        work = make_work()
        return [work(part) for part in parts]
    results = [None] * len(parts)
    # Each thread takes the next slice not yet taken: on a busy machine a
    # thread that was descheduled for a while does less, not the same share.
    # (next() on a count is atomic under the GIL.)
    taken = itertools.count()

    def run() -> None:
        _local.inside = True
        try:
            work = make_work()
            i = next(taken)
            while i < len(parts):
                results[i] = work(parts[i])
                i = next(taken)
        finally:
            _local.inside = False

    with one_blas_thread():
        futures = [_pool(count - 1).submit(run) for _ in range(1, count)]
        try:
            run()
        finally:
            # Never return while another thread still writes into the outputs.
            errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
    return results


def add_in_order(shares: Sequence):
    """The sum of per-slice partial results, added in slice order into the
    first (a fresh array of its slice): the same floats whatever the threads."""
    total = shares[0]
    for share in shares[1:]:
        total += share
    return total
