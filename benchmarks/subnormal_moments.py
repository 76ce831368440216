"""Adam steps with subnormal first moments, before and after the flush.

The state an MLP reaches after ~700 Adam steps when some ReLU units have died:
their first moments have decayed into subnormal float32s (baro/optimizers/
subnormals.py explains why they stay there). On the 784-512-512-10 MLP's
parameters (670k, one flat buffer) this times `Adam.apply` with that state and
the flush switched off, then the same after one flush (what baro does every 256
steps), alternating the two. Prints medians, the ratio, and the cost of the
flush pass itself, amortized over 256 steps.

    python benchmarks/subnormal_moments.py [--steps 50] [--repeats 7] [--dead 0.3]
"""

import math
import statistics
import sys
import time

import numpy as np

import baro
from baro import optimizers
from baro.optimizers.subnormals import FLUSH_EVERY

SHAPES = [(784, 512), (512,), (512, 512), (512,), (512, 10), (10,)]


def make_state(dead_fraction: float, seed: int = 0):
    """Variables, an Adam whose dead entries hold subnormal m, and gradients
    that are 0 on those entries."""
    rng = np.random.default_rng(seed)
    variables = [baro.Variable(rng.standard_normal(s).astype("float32") * 0.05)
                 for s in SHAPES]
    grads = [rng.standard_normal(s).astype("float32") * 1e-3 for s in SHAPES]
    dead = [rng.random(s) < dead_fraction for s in SHAPES]
    for g, mask in zip(grads, dead, strict=True):
        g[mask] = 0.0
    optimizer = optimizers.Adam(1e-3)
    optimizer.apply(grads, variables)  # builds the slots and the flat buffer
    count = len(SHAPES)  # past it, the slot lists hold the flat buffer's proxy
    for m, v, mask in zip(optimizer._momentums[:count],
                          optimizer._velocities[:count], dead, strict=True):
        # Subnormals of every size (k * 2**-149), as a decaying m passes them;
        # v decays 100x slower and is still normal after ~700 steps.
        m.data[mask] = rng.integers(1, 2**23, mask.sum()) * np.float32(2.0**-149)
        v.data[mask] = 1e-8
    return variables, grads, optimizer


def time_steps(dead_fraction: float, steps: int, flushed: bool) -> float:
    """Seconds per `apply`, the subnormal state either kept or flushed once."""
    variables, grads, optimizer = make_state(dead_fraction)
    optimizer._flush_every = math.inf  # the timed steps themselves never flush
    if flushed:
        optimizer._flush_subnormal_slots()
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.apply(grads, variables)
    return (time.perf_counter() - start) / steps


def time_flush(dead_fraction: float, repeats: int = 20) -> float:
    """Seconds per flush pass over the subnormal state (best of `repeats`)."""
    best = math.inf
    for _ in range(repeats):
        _, _, optimizer = make_state(dead_fraction)
        start = time.perf_counter()
        optimizer._flush_subnormal_slots()
        best = min(best, time.perf_counter() - start)
    return best


def main(steps: int, repeats: int, dead_fraction: float) -> None:
    results = {False: [], True: []}
    for repeat in range(repeats):
        order = (False, True) if repeat % 2 == 0 else (True, False)
        for flushed in order:
            results[flushed].append(time_steps(dead_fraction, steps, flushed))
    before = statistics.median(results[False])
    after = statistics.median(results[True])
    flush = time_flush(dead_fraction)
    count = sum(math.prod(s) for s in SHAPES)
    print(f"Adam.apply on {count:,} parameters, {dead_fraction:.0%} dead "
          f"(median of {repeats} x {steps} steps)")
    print(f"  subnormal first moments {before * 1e3:8.2f} ms/step")
    print(f"  after the flush         {after * 1e3:8.2f} ms/step")
    print(f"  ratio before/after = {before / after:.2f}")
    print(f"  flush pass {flush * 1e3:.2f} ms, every {FLUSH_EVERY} steps: "
          f"{flush / FLUSH_EVERY / after:.2%} of a step")


if __name__ == "__main__":
    args = sys.argv
    steps = int(args[args.index("--steps") + 1]) if "--steps" in args else 50
    repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 7
    dead = float(args[args.index("--dead") + 1]) if "--dead" in args else 0.3
    main(steps, repeats, dead)
