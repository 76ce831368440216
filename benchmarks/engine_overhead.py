"""Per-step overhead of the autodiff engine on a tiny model, baro vs PyTorch eager.

XOR with a 2-8-1 MLP (tanh, sigmoid cross-entropy from logits), forward + backward +
a hand-written SGD update, the same math in both frameworks, alternated in one
process. Prints medians and the ratio baro / torch (below 1 = baro is faster).

    python benchmarks/engine_overhead.py [--steps 2000] [--repeats 7]
"""

import statistics
import sys
import time

import numpy as np

import baro


def baro_loop(steps: int) -> float:
    x = baro.constant([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = baro.constant([[0.0], [1.0], [1.0], [0.0]])
    rng = np.random.default_rng(0)
    params = [baro.Variable(rng.standard_normal((2, 8)).astype("float32")),
              baro.Variable(np.zeros(8, "float32")),
              baro.Variable(rng.standard_normal((8, 1)).astype("float32")),
              baro.Variable(np.zeros(1, "float32"))]
    w1, b1, w2, b2 = params
    start = time.perf_counter()
    for _ in range(steps):
        logits = baro.tanh(x @ w1 + b1) @ w2 + b2
        loss = baro.reduce_mean(baro.nn.sigmoid_cross_entropy_with_logits(y, logits))
        for p in params:
            p.grad = None
        loss.backward()
        with baro.no_grad():
            for p in params:
                p.data -= 0.5 * p._grad
    return time.perf_counter() - start


def torch_loop(steps: int) -> float:
    import torch

    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    rng = np.random.default_rng(0)
    params = [torch.tensor(rng.standard_normal((2, 8)), dtype=torch.float32),
              torch.zeros(8), torch.tensor(rng.standard_normal((8, 1)),
                                           dtype=torch.float32), torch.zeros(1)]
    for p in params:
        p.requires_grad_(True)
    w1, b1, w2, b2 = params
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    start = time.perf_counter()
    for _ in range(steps):
        logits = torch.tanh(x @ w1 + b1) @ w2 + b2
        loss = bce(logits, y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.5 * p.grad
    return time.perf_counter() - start


def main(steps: int, repeats: int) -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        torch = None
    results = {"baro": [], "torch": []}
    for _ in range(repeats):
        results["baro"].append(baro_loop(steps))
        if torch is not None:
            results["torch"].append(torch_loop(steps))
    b = statistics.median(results["baro"])
    print(f"baro   {b / steps * 1e6:8.1f} us/step (median of {repeats})")
    if results["torch"]:
        t = statistics.median(results["torch"])
        print(f"torch  {t / steps * 1e6:8.1f} us/step (median of {repeats})")
        print(f"ratio baro/torch = {b / t:.2f}")
    else:
        print("torch not installed: pip install torch==2.13.0 for the ratio")


if __name__ == "__main__":
    args = sys.argv
    steps = int(args[args.index("--steps") + 1]) if "--steps" in args else 2000
    repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 7
    main(steps, repeats)
