"""What a TrainingDoctor costs `fit`: one MNIST-sized epoch with and without it.

The MLP 784-512-512-10 (relu, softmax), Adam(1e-3), sparse categorical
cross-entropy, batch 128, one shuffled epoch of 60,000 random 784-feature rows
in [0, 1) with random labels. Two identical models (same initial weights), one
fitted plainly, one with `callbacks=[TrainingDoctor(verbose=0)]`, alternating
in one process after a warm-up; medians of `--repeats` epochs each. The doctor
probes 256 rows before training and after the epoch (one forward and backward
pass each, inference mode), so its cost should be a fraction of a percent;
the target is under 5%.

    python benchmarks/doctor_overhead.py [--repeats 5] [--rows 60000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import baro
import baro.diagnostics  # noqa: F401 - provides the doctor's examination
from baro.callbacks import TrainingDoctor
from baro.keras import Input, Sequential, layers, optimizers

BATCH = 128


def mlp(seed: int = 0):
    baro.utils.set_random_seed(seed)
    model = Sequential([Input((784,)), layers.Dense(512, "relu"),
                        layers.Dense(512, "relu"), layers.Dense(10, "softmax")])
    model.compile(optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    return model


class TimedDoctor(TrainingDoctor):
    """A TrainingDoctor that adds up the CPU time spent in its own hooks: a
    direct measure of its cost, free of the noise of comparing two fits."""

    hook_seconds = 0.0

    def _timed(self, hook, *args):
        start = time.process_time()
        hook(*args)
        self.hook_seconds += time.process_time() - start

    def on_train_begin(self, logs=None):
        self._timed(super().on_train_begin, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._timed(super().on_epoch_end, epoch, logs)

    def on_train_end(self, logs=None):
        self._timed(super().on_train_end, logs)


def epoch_seconds(model, x, y, doctor: TrainingDoctor | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one `fit` epoch."""
    callbacks = []
    if doctor is not None:
        # fit passes its data to callbacks that want it (wants_training_data);
        # handing it here as well keeps the script valid either way.
        doctor.set_training_data(x, y)
        callbacks = [doctor]
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=callbacks)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=60_000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.random((args.rows, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.rows)
    plain, examined = mlp(), mlp()
    doctor = TimedDoctor(verbose=0)
    warm = slice(0, 4 * BATCH)  # trace the compiled steps of both models
    epoch_seconds(plain, x[warm], y[warm], None)
    epoch_seconds(examined, x[warm], y[warm], doctor)
    names = ("fit", "fit + TrainingDoctor")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    hooks = []
    for repeat in range(args.repeats):
        order = [(names[0], plain, None), (names[1], examined, doctor)]
        for name, model, callback in order[:: 1 if repeat % 2 == 0 else -1]:
            before = doctor.hook_seconds
            times[name].append(epoch_seconds(model, x, y, callback))
            if callback is not None:
                hooks.append(doctor.hook_seconds - before)
    wall = {n: statistics.median(t[0] for t in times[n]) for n in names}
    cpu = {n: statistics.median(t[1] for t in times[n]) for n in names}
    ratio = wall[names[1]] / wall[names[0]]
    print(f"MLP 784-512-512-10, {args.rows} rows, batch {BATCH}, Adam; "
          f"medians of {args.repeats} epochs, alternating")
    for name in names:
        runs = ", ".join(f"{w:.2f}" for w, _ in times[name])
        print(f"  {name:22s} {wall[name]:7.3f} s/epoch wall, {cpu[name]:7.3f} s CPU"
              f"   (wall runs: {runs})")
    print(f"  overhead, wall: {100 * (ratio - 1):+.2f}%   CPU: "
          f"{100 * (cpu[names[1]] / cpu[names[0]] - 1):+.2f}%   (target < 5%)")
    print(f"  time inside the doctor's hooks: {statistics.median(hooks):.4f} s "
          f"CPU per epoch = {100 * statistics.median(hooks) / cpu[names[0]]:.2f}% "
          "of a plain epoch")
    print(f"  findings on random labels: {[f.code for f in doctor.findings]}")
    return ratio


if __name__ == "__main__":
    main()
