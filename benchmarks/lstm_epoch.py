"""One training epoch of an LSTM classifier, baro `fit` vs the same model in PyTorch.

LSTM(128) -> Dense(10, softmax) on 10,000 random float32 sequences of 28 steps x 28
features (MNIST rows as timesteps) with random labels, Adam(1e-3), batch 128. PyTorch
runs eager `nn.LSTM(batch_first=True)` + `nn.Linear` with `cross_entropy`. Runs
alternate within one process and the ratio of medians is printed (below 1 = baro
faster).

    python benchmarks/lstm_epoch.py [--repeats 5] [--batch 128] [--gru]

`--gru` runs GRU(128) (Keras's reset_after=True, as torch's nn.GRU) instead.
"""

import statistics
import sys
import time

import numpy as np

import baro
from baro.keras import Sequential, layers
from baro.keras.optimizers import Adam


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


def main(repeats: int, batch: int, cell: str) -> None:
    x, y = make_data()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    times = {"baro": [], "torch": []}
    for _ in range(repeats):
        seconds, loss = baro_epoch(x, y, batch, cell)
        times["baro"].append(seconds)
        print(f"baro   epoch {seconds:6.2f} s  loss {loss:.4f}", flush=True)
        if have_torch:
            seconds, loss = torch_epoch(x, y, batch, cell)
            times["torch"].append(seconds)
            print(f"torch  epoch {seconds:6.2f} s  loss {loss:.4f}", flush=True)
    b = statistics.median(times["baro"])
    print(f"baro median {b:.2f} s/epoch ({cell}, batch {batch}; "
          f"min {min(times['baro']):.2f}, max {max(times['baro']):.2f})")
    if have_torch:
        t = statistics.median(times["torch"])
        print(f"torch median {t:.2f} s/epoch (min {min(times['torch']):.2f}, "
              f"max {max(times['torch']):.2f}); ratio baro/torch = {b / t:.2f}")


if __name__ == "__main__":
    args = sys.argv
    main(int(args[args.index("--repeats") + 1]) if "--repeats" in args else 5,
         int(args[args.index("--batch") + 1]) if "--batch" in args else 128,
         "gru" if "--gru" in args else "lstm")
