"""Runs the benchmark suite: baro against the installed peers, alternated, medians.

    python -m benchmarks                      # every workload, default repetitions
    python -m benchmarks --only xor,mlp128    # a subset (see --list)
    python -m benchmarks --quick              # tiny sizes: checks that all runs
    python -m benchmarks --write BENCHMARKS.md

For every workload each variant (baro `fit`, PyTorch eager, ...) warms up once,
then the repetitions alternate between variants; the report gives the median over
repetitions that ran while the rest of the machine was quiet, min/max, GFLOP/s
against the float32 matmul peak measured at the start of the same run, the ratio
baro/peer and the issue's targets. Threads are left as the environment sets them
(OMP_NUM_THREADS etc. appear in the machine details).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time

if not __package__:  # `python benchmarks/run.py`: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import report  # noqa: E402
from benchmarks.common import Peers, measure, wait_for_quiet  # noqa: E402
from benchmarks.machine import machine_details, matmul_peak  # noqa: E402
from benchmarks.workloads import NAMES, load  # noqa: E402

PEERS = ("torch", "jax", "keras")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="baro's benchmark suite against PyTorch, JAX and Keras 3.")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repetition by default (a smoke run)")
    parser.add_argument("--only", default="",
                        help=f"comma-separated workloads of: {', '.join(NAMES)}")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed repetitions per variant (default: per workload)")
    parser.add_argument("--peers", default=",".join(PEERS),
                        help="peers to run if installed, comma-separated, or 'none'")
    parser.add_argument("--max-wait", type=float, default=None,
                        help="seconds to wait for a quiet machine before each "
                             "repetition (default 2, 0 with --quick)")
    parser.add_argument("--extra-rounds", type=int, default=None,
                        help="rounds added while a variant has fewer clean "
                             "repetitions than --repeats (default: as many as "
                             "--repeats, 0 with --quick)")
    parser.add_argument("--write", metavar="FILE",
                        help="write the report below the marker line in FILE")
    parser.add_argument("--list", action="store_true", help="list workloads and exit")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(NAMES)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; "
                     f"expected some of {', '.join(NAMES)}")
    args.names = names
    peers = {p.strip() for p in args.peers.split(",") if p.strip()} - {"none"}
    if peers - set(PEERS):
        parser.error(f"unknown peer(s) {', '.join(sorted(peers - set(PEERS)))}; "
                     f"expected some of {', '.join(PEERS)} or 'none'")
    args.peer_set = peers
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.max_wait is None:
        args.max_wait = 0.0 if args.quick else 2.0
    if args.extra_rounds is None and args.quick:
        args.extra_rounds = 0
    return args


def update_peak(peak: dict[str, float], args: argparse.Namespace) -> None:
    """Measures the matmul peak again in a quiet moment and keeps the best.

    A busy machine reads low; measuring before every GEMM workload and keeping
    the best median per shape gives the run's fairest peak.
    """
    wait_for_quiet(args.max_wait)
    for shape, rate in matmul_peak(args.quick).items():
        peak[shape] = max(rate, peak.get(shape, 0.0))


def run_workload(name: str, args: argparse.Namespace, peers: Peers,
                 peak: dict[str, float]) -> report.Result:
    """Builds the workload's variants and measures them (errors become rows)."""
    work = load(name)
    result = report.Result(work)
    if work.unavailable:
        result.skipped = work.unavailable
        return result
    print(f"\n== {work.title} ({name})", flush=True)
    if work.flops is not None:
        update_peak(peak, args)
    try:
        variants = work.variants(args.quick, peers)
    except Exception as exc:  # noqa: BLE001 - one broken workload must not stop all
        result.skipped = f"error while setting up: {type(exc).__name__}: {exc}"
        print(f"  {result.skipped}", flush=True)
        return result
    if not variants:
        result.skipped = "nothing to run"
        return result
    repeats = args.repeats or (1 if args.quick else work.repeats)
    extra = repeats if args.extra_rounds is None else args.extra_rounds
    result.outcomes = measure(variants, repeats, args.max_wait,
                              log=lambda line: print(line, flush=True),
                              extra_rounds=extra)
    return result


def main(argv: list[str] | None = None) -> int:
    """Runs the selected workloads, prints the report; 1 if any variant failed."""
    args = parse(argv)
    if args.list:
        for name in NAMES:
            work = load(name)
            print(f"{name:12s} {work.title}"
                  + (f"  [{work.unavailable}]" if work.unavailable else ""))
        return 0
    started = time.perf_counter()
    peers = Peers(args.peer_set)
    details = machine_details(peers)
    print("\n".join(f"{k}: {v}" for k, v in details.items()), flush=True)
    peak: dict[str, float] = {}
    update_peak(peak, args)
    print("matmul GFLOP/s: " + ", ".join(f"{k} {v:.0f}" for k, v in peak.items()))
    results = [run_workload(name, args, peers, peak) for name in args.names]
    command = "python -m benchmarks " + shlex.join(argv if argv is not None
                                                   else sys.argv[1:])
    details["suite wall time"] = f"{time.perf_counter() - started:.0f} s"
    text = report.full_report(command.strip(), details, peak, results)
    print("\n" + text, flush=True)
    if args.write:
        report.write(args.write, text)
        print(f"written to {args.write}")
    failed = any(o.error for r in results for o in r.outcomes)
    failed = failed or any(r.skipped and r.skipped.startswith("error")
                           for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
