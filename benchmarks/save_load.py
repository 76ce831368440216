"""Saving and loading a whole model (architecture, weights, optimizer state),
baro's `.baro` vs PyTorch's `torch.save`/`torch.load` of the module and its
Adam state (the closest equivalent; `weights_only=True` for the safe load).

The model: 784-512-512-10 MLP after one Adam step (~670k parameters, so 3x
that in state). Alternating in one process, medians of `--repeats` runs;
ratio below 1 = baro faster. Also the file sizes.

    python benchmarks/save_load.py [--repeats 15]
"""

import os
import statistics
import sys
import tempfile
import time

import numpy as np

from baro import layers, optimizers
from baro.models import Sequential, load_model


def baro_model():
    model = Sequential([layers.Input(shape=(784,)), layers.Dense(512, "relu"),
                        layers.Dense(512, "relu"), layers.Dense(10, "softmax")])
    model.compile(optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(128, 784)).astype("float32"),
              rng.integers(0, 10, 128), epochs=1, batch_size=128, verbose=0)
    return model


def torch_net():
    import torch

    return torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                               torch.nn.Linear(512, 512), torch.nn.ReLU(),
                               torch.nn.Linear(512, 10))


def torch_model():
    import torch

    net = torch_net()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
    torch.nn.functional.cross_entropy(net(x), y).backward()
    opt.step()
    return net, opt


def time_baro(model, path):
    start = time.perf_counter()
    model.save(path)
    saved = time.perf_counter()
    load_model(path)
    return saved - start, time.perf_counter() - saved


def time_torch(net, opt, path):
    import torch

    start = time.perf_counter()
    torch.save({"model": net.state_dict(), "optimizer": opt.state_dict()}, path)
    saved = time.perf_counter()
    # Like load_model: rebuild the architecture, then weights and optimizer.
    state = torch.load(path, weights_only=True)
    fresh = torch_net()
    fresh.load_state_dict(state["model"])
    torch.optim.Adam(fresh.parameters(), 1e-3).load_state_dict(state["optimizer"])
    return saved - start, time.perf_counter() - saved


def main(repeats: int) -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch is not installed: pip install torch==2.13.0")
        return
    model = baro_model()
    net, opt = torch_model()
    with tempfile.TemporaryDirectory() as folder:
        ours_path = os.path.join(folder, "m.baro")
        theirs_path = os.path.join(folder, "m.pt")
        ours, theirs = [], []
        for _ in range(repeats):
            ours.append(time_baro(model, ours_path))
            theirs.append(time_torch(net, opt, theirs_path))
        sizes = os.path.getsize(ours_path), os.path.getsize(theirs_path)
    for i, what in enumerate(("save", "load")):
        a = statistics.median(t[i] for t in ours)
        b = statistics.median(t[i] for t in theirs)
        print(f"{what}: baro/torch time ratio {a / b:.2f}")
    print(f"file size: baro {sizes[0] / 1e6:.1f} MB, torch {sizes[1] / 1e6:.1f} MB")


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--repeats") + 1]) \
        if "--repeats" in sys.argv else 15
    main(count)
