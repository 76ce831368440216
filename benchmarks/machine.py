"""What the report says about the machine: CPU, memory, threads, BLAS, library
versions and the baro commit, and the float32 matmul peak GFLOP/s measured in
the same run (the "% of peak" column divides by it).
"""

from __future__ import annotations

import ctypes
import datetime
import glob
import os
import platform
import statistics
import subprocess
import time

import numpy as np

from benchmarks.common import Peers


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
