"""Forward + backward of one Conv2D layer (with bias and relu), baro vs PyTorch.

The issue-4 figure: Conv2D(32, 3) on a 128x28x28x1 batch, and Conv2D(64, 3) on
128x13x13x32 (the second conv of the MNIST convnet). Alternating in one process,
medians of `--repeats` runs; ratio below 1 = baro faster.

    python benchmarks/conv_layer.py [--repeats 20]
"""

import statistics
import sys
import time

import numpy as np

import baro
from baro.keras import layers

CASES = [((128, 28, 28, 1), 32), ((128, 13, 13, 32), 64)]


def baro_step(layer, x, input_grad: bool):
    start = time.perf_counter()
    with baro.GradientTape() as tape:
        if input_grad:
            tape.watch(x)
        loss = baro.reduce_sum(layer(x))
    sources = [x, layer.kernel, layer.bias] if input_grad else layer.trainable_weights
    tape.gradient(loss, sources)
    return time.perf_counter() - start


def torch_step(conv, x):
    import torch

    start = time.perf_counter()
    conv.zero_grad()
    torch.relu(conv(x)).sum().backward()
    return time.perf_counter() - start


def main(repeats: int) -> None:
    try:
        import torch
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    for (shape, filters), input_grad in [(c, g) for c in CASES for g in (False, True)]:
        data = rng.standard_normal(shape).astype(np.float32)
        layer = layers.Conv2D(filters, 3, activation="relu")
        x = baro.constant(data)
        layer(x)
        times = {"baro": [], "torch": []}
        if torch is not None:
            conv = torch.nn.Conv2d(shape[-1], filters, 3)
            xt = torch.tensor(np.moveaxis(data, -1, 1).copy(),
                              requires_grad=input_grad)
        for _ in range(3):  # warm-up
            baro_step(layer, x, input_grad)
            if torch is not None:
                torch_step(conv, xt)
        for _ in range(repeats):
            times["baro"].append(baro_step(layer, x, input_grad))
            if torch is not None:
                times["torch"].append(torch_step(conv, xt))
        b = statistics.median(times["baro"]) * 1e3
        what = "with input grad" if input_grad else "weights only  "
        line = f"Conv2D({filters}, 3)+relu on {shape} {what}: baro {b:6.2f} ms"
        if torch is not None:
            t = statistics.median(times["torch"]) * 1e3
            line += f"  torch {t:6.2f} ms  ratio {b / t:.2f}"
        print(line)


if __name__ == "__main__":
    args = sys.argv
    main(int(args[args.index("--repeats") + 1]) if "--repeats" in args else 20)
