"""One training epoch of the issue-3 MLP, baro `fit` vs the same model in PyTorch.

Dense(512, relu) -> Dense(512, relu) -> Dense(10, softmax), Adam(1e-3), batch 128,
on 60,000 x 784 random float32 inputs with random labels; runs alternate within
one process and the ratio of medians is printed (below 1 = baro faster).

    python benchmarks/mlp_epoch.py [--repeats 3] [--batch 128]
"""

import statistics
import sys
import time

import numpy as np

import baro
from baro.keras import Sequential, layers
from baro.keras.optimizers import Adam


def make_data(n=60_000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return x, y


def baro_epoch(x, y, batch):
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Dense(512, activation="relu", input_dim=784),
                        layers.Dense(512, activation="relu"),
                        layers.Dense(10, activation="softmax")])
    model.compile(Adam(1e-3), "sparse_categorical_crossentropy")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    return time.perf_counter() - start, history.history["loss"][0]


def torch_epoch(x, y, batch):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y)
    start = time.perf_counter()
    order = torch.randperm(len(xt))
    total = 0.0
    for i in range(0, len(xt), batch):
        idx = order[i:i + batch]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return time.perf_counter() - start, total / len(xt)


def main(repeats: int, batch: int) -> None:
    x, y = make_data()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    times = {"baro": [], "torch": []}
    for _ in range(repeats):
        seconds, loss = baro_epoch(x, y, batch)
        times["baro"].append(seconds)
        print(f"baro   epoch {seconds:6.2f} s  loss {loss:.4f}", flush=True)
        if have_torch:
            seconds, loss = torch_epoch(x, y, batch)
            times["torch"].append(seconds)
            print(f"torch  epoch {seconds:6.2f} s  loss {loss:.4f}", flush=True)
    b = statistics.median(times["baro"])
    print(f"baro median {b:.2f} s/epoch (batch {batch})")
    if have_torch:
        t = statistics.median(times["torch"])
        print(f"torch median {t:.2f} s/epoch; ratio baro/torch = {b / t:.2f}")


if __name__ == "__main__":
    args = sys.argv
    main(int(args[args.index("--repeats") + 1]) if "--repeats" in args else 3,
         int(args[args.index("--batch") + 1]) if "--batch" in args else 128)
