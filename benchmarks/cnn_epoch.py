"""One training epoch of the Keras MNIST convnet, baro `fit` vs PyTorch eager.

Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2)
-> Flatten -> Dense(10, softmax), Adam(1e-3), batch 128, random 28x28x1 float32
images with random labels. Each run trains 100 batches (12,800 samples) and is
scaled x4.6875 to a 60,000-sample epoch, as the issue's reference figures are.
Runs alternate within one process (a warm-up first, the order reversed every
repetition); the ratio of medians is printed (below 1 = baro faster), and each
run's process CPU time next to its wall time: CPU far above wall x threads
means threads spinning (on a busy machine OpenBLAS's and PyTorch's OpenMP
threads spin while they wait for a descheduled partner). PyTorch runs NCHW,
and NHWC too with `--channels-last`. Thread counts are the libraries'
defaults; OPENBLAS_NUM_THREADS=1 with `--torch-threads 1` compares one core
with one core. `--one-blas-thread` runs baro's fit inside
`baro.ops.parallel.one_blas_thread()`: every matmul on one OpenBLAS thread, so
the convolutions and pools spread their batch slices over the cores instead
(see parallel.py).

    python benchmarks/cnn_epoch.py [--repeats 5] [--batches 100] [--channels-last]
                                   [--torch-threads N] [--one-blas-thread]
"""

import statistics
import sys
import time

import numpy as np

import baro
from baro.keras import Sequential, layers
from baro.keras.optimizers import Adam

BATCH = 128
EPOCH = 60_000


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return x, y


def baro_model():
    baro.utils.set_random_seed(0)
    model = Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(Adam(1e-3), "sparse_categorical_crossentropy")
    return model


def baro_run(model, x, y, one_blas_thread: bool = False):
    from baro.ops.parallel import one_blas_thread as blas1

    start = time.perf_counter()
    if one_blas_thread:
        with blas1():
            history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    else:
        history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    return time.perf_counter() - start, history.history["loss"][0]


def threads_note(one_blas_thread: bool) -> str:
    from baro.ops import parallel

    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i['num_threads']}"
                         for i in threadpool_info() if i["user_api"] == "blas")
    except ImportError:
        blas = "?"
    if one_blas_thread:
        with parallel.one_blas_thread():
            slices = parallel.threads()
    else:
        slices = parallel.threads()
    note = f"threads: baro slices {slices}, BLAS {blas}"
    try:
        import torch
        note += f", torch {torch.get_num_threads()}"
    except ImportError:
        pass
    return note


def torch_model(channels_last: bool):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(1600, 10))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    return model, opt


def torch_run(model_opt, x, y, channels_last: bool):
    import torch

    model, opt = model_opt
    xt = torch.from_numpy(np.moveaxis(x, -1, 1).copy())
    yt = torch.from_numpy(y)
    start = time.perf_counter()
    order = torch.randperm(len(xt))
    total = 0.0
    for i in range(0, len(xt), BATCH):
        idx = order[i:i + BATCH]
        xb = xt[idx]
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yt[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return time.perf_counter() - start, total / len(xt)


def main(repeats: int, batches: int, channels_last: bool,
         one_blas_thread: bool = False) -> None:
    x, y = make_data(batches * BATCH)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    scale = EPOCH / len(x)
    runners = {"baro": (baro_model(),
                        lambda m: baro_run(m, x, y, one_blas_thread))}
    if have_torch:
        runners["torch"] = (torch_model(False),
                            lambda m: torch_run(m, x, y, False))
        if channels_last:
            runners["torch_nhwc"] = (torch_model(True),
                                     lambda m: torch_run(m, x, y, True))
    warm_x, warm_y = x[:2 * BATCH], y[:2 * BATCH]
    baro_run(runners["baro"][0], warm_x, warm_y, one_blas_thread)
    if have_torch:
        torch_run(runners["torch"][0], warm_x, warm_y, False)
    print(threads_note(one_blas_thread), flush=True)
    times = {name: [] for name in runners}
    for rep in range(repeats):
        order = list(runners.items())
        if rep % 2:
            order.reverse()  # a slow drift of the machine hits all alike
        for name, (model, run) in order:
            cpu = time.process_time()
            seconds, loss = run(model)
            cpu = time.process_time() - cpu
            times[name].append(seconds * scale)
            print(f"{name:10s} epoch {seconds * scale:6.2f} s (cpu "
                  f"{cpu * scale:6.2f} s)  loss {loss:.4f}", flush=True)
    b = statistics.median(times["baro"])
    print(f"baro median {b:.2f} s/epoch (min {min(times['baro']):.2f}, "
          f"max {max(times['baro']):.2f})")
    for name in list(runners)[1:]:
        t = statistics.median(times[name])
        print(f"{name} median {t:.2f} s/epoch (min {min(times[name]):.2f}, "
              f"max {max(times[name]):.2f}); ratio baro/{name} = {b / t:.2f}")


if __name__ == "__main__":
    args = sys.argv
    if "--torch-threads" in args:
        import torch

        torch.set_num_threads(int(args[args.index("--torch-threads") + 1]))
    main(int(args[args.index("--repeats") + 1]) if "--repeats" in args else 5,
         int(args[args.index("--batches") + 1]) if "--batches" in args else 100,
         "--channels-last" in args, "--one-blas-thread" in args)
