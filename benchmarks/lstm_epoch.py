"""One training epoch of an LSTM classifier, baro `fit` vs the same model in PyTorch.

LSTM(128) -> Dense(10, softmax) on 10,000 random float32 sequences of 28 steps x 28
features (MNIST rows as timesteps) with random labels, Adam(1e-3), batch 128. PyTorch
runs eager `nn.LSTM(batch_first=True)` + `nn.Linear` with `cross_entropy`. After a
warm-up epoch each, runs alternate within one process (the order flips every round)
and the ratio of medians is printed (below 1 = baro faster). Each run's epoch
includes building the model and `fit`'s tracing of its first batches; only `fit`
(resp. the PyTorch loop) is timed.

    python benchmarks/lstm_epoch.py [--repeats 5] [--batch 128] [--gru] [--threads N]

`--gru` runs GRU(128) (Keras's reset_after=True, as torch's nn.GRU) instead.
`--threads N` limits BLAS (through threadpoolctl) and PyTorch to N threads; with
`--threads 1` the CPU time of each run is shown too, a figure other processes on a
shared machine disturb far less than wall time. Every run reports how many cores
other processes used meanwhile (`foreign`); medians are taken over the clean runs
(foreign below 0.15) when there are any.
"""

import os
import statistics
import sys
import time

import numpy as np

if not __package__:  # `python benchmarks/lstm_epoch.py`: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import baro  # noqa: E402
from baro.keras import Sequential, layers  # noqa: E402
from baro.keras.optimizers import Adam  # noqa: E402
from benchmarks.common import QUIET_CORES, LoadMeter  # noqa: E402


def make_data(n=10_000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return x, y


def baro_epoch(x, y, batch, cell):
    baro.utils.set_random_seed(0)
    recurrent = layers.GRU if cell == "gru" else layers.LSTM
    model = Sequential([layers.Input((28, 28)), recurrent(128),
                        layers.Dense(10, activation="softmax")])
    model.compile(Adam(1e-3), "sparse_categorical_crossentropy")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    return time.perf_counter() - start, history.history["loss"][0]


def torch_epoch(x, y, batch, cell):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            recurrent = torch.nn.GRU if cell == "gru" else torch.nn.LSTM
            self.rnn = recurrent(28, 128, batch_first=True)
            self.out = torch.nn.Linear(128, 10)

        def forward(self, inputs):
            _, state = self.rnn(inputs)
            h = state if cell == "gru" else state[0]
            return self.out(h[0])

    torch.manual_seed(0)
    model = Net()
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


def limit_threads(threads: int):
    """Limits BLAS and PyTorch to `threads`; returns the limiter to keep alive."""
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl is not installed: BLAS threads left as they are")
        return None
    return threadpool_limits(threads)


def main(repeats: int, batch: int, cell: str, threads: int | None) -> None:
    limiter = limit_threads(threads) if threads else None  # noqa: F841 - kept alive
    x, y = make_data()
    runs = {"baro": baro_epoch}
    try:
        import torch  # noqa: F401

        runs["torch"] = torch_epoch
    except ImportError:
        print("PyTorch is not installed: baro only")
    for run in runs.values():
        run(x, y, batch, cell)  # warm-up: imports, caches, allocator
    wall = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    clean = {name: [] for name in runs}
    names = list(runs)
    for rep in range(repeats):
        for name in names if rep % 2 == 0 else names[::-1]:
            cpu_start = time.process_time()
            with LoadMeter() as meter:
                seconds, loss = runs[name](x, y, batch, cell)
            wall[name].append(seconds)
            cpu[name].append(time.process_time() - cpu_start)
            clean[name].append(meter.foreign is None or meter.foreign < QUIET_CORES)
            foreign = "?" if meter.foreign is None else f"{meter.foreign:.2f}"
            print(f"{name:6s} epoch {seconds:6.2f} s  cpu {cpu[name][-1]:6.2f} s  "
                  f"loss {loss:.4f}  foreign {foreign}", flush=True)
    label = f"{cell}, batch {batch}, threads {threads or 'default'}"
    medians = {}
    for name in names:
        # Medians over clean runs when there are any (see benchmarks/common.py).
        kept = [i for i, ok in enumerate(clean[name]) if ok] or \
            list(range(len(wall[name])))
        times = [wall[name][i] for i in kept]
        medians[name] = (statistics.median(times),
                         statistics.median(cpu[name][i] for i in kept))
        print(f"{name} median {medians[name][0]:.2f} s/epoch ({label}; "
              f"{len(kept)} of {len(wall[name])} runs clean; min {min(times):.2f}, "
              f"max {max(times):.2f}; cpu median {medians[name][1]:.2f} s)")
    if "torch" in runs:
        line = (f"ratio baro/torch = "
                f"{medians['baro'][0] / medians['torch'][0]:.2f} (wall)")
        if threads == 1:
            line += f", {medians['baro'][1] / medians['torch'][1]:.2f} (cpu)"
        print(line)


if __name__ == "__main__":
    args = sys.argv

    def option(name, default):
        return int(args[args.index(name) + 1]) if name in args else default

    main(option("--repeats", 5), option("--batch", 128),
         "gru" if "--gru" in args else "lstm", option("--threads", None))
