"""Latency of one prediction on one sample (1 x 784) of the MLP 784-512-512-10.

baro: `model.predict(x1, verbose=0)` (the Keras entry point, the issue's target:
under 100 µs), `predict_on_batch(x1)` and `model(x1)`; PyTorch: the same net under
`torch.inference_mode()`; Keras 3: `predict` and `model(x1)`. Each repetition times
a few thousand back-to-back calls; the unit is µs per call.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Notes, Peers, Target, Variant, Workload
from benchmarks.workloads import mlp

CALLS = 2000


def _timed_calls(framework: str, label: str, call, calls: int,
                 reference: bool = False) -> Variant:
    def run() -> tuple[float, Notes]:
        start = time.perf_counter()
        for _ in range(calls):
            call()
        return (time.perf_counter() - start) / calls * 1e6, {}

    def warmup() -> None:
        for _ in range(max(3, calls // 10)):
            call()

    return Variant(framework, label, run, warmup, reference)


def make_variants(quick: bool, peers: Peers) -> list[Variant]:
    calls = 20 if quick else CALLS
    model = mlp.fresh_baro_model()
    x1 = np.random.default_rng(0).random((1, mlp.LAYERS[0]), dtype=np.float32)
    found = [
        _timed_calls("baro", "predict", lambda: model.predict(x1, verbose=0),
                     calls // 4),
        _timed_calls("baro", "predict_on_batch",
                     lambda: model.predict_on_batch(x1), calls),
        _timed_calls("baro", "model(x1)", lambda: model(x1), calls),
    ]
    if (torch := peers.get("torch")) is not None:
        net = mlp.torch_model(torch, model.get_weights())
        xt = torch.from_numpy(x1)

        def torch_call():
            with torch.inference_mode():
                return net(xt)

        found.append(_timed_calls("torch", "inference_mode", torch_call, calls,
                                  reference=True))
    if (keras := peers.get("keras")) is not None:
        peer = mlp.keras_model(keras)
        peer.set_weights(model.get_weights())
        # Keras's predict costs milliseconds: fewer calls, same unit.
        found += [
            _timed_calls("keras", "predict", lambda: peer.predict(x1, verbose=0),
                         max(3, calls // 40)),
            _timed_calls("keras", "model(x1)", lambda: peer(x1), calls // 4),
        ]
    return found


WORKLOAD = Workload(
    name="predict",
    title="predict latency, one sample, MLP 784-512-512-10",
    unit="µs/call",
    variants=make_variants,
    repeats=7,
    description=" ".join(__doc__.split("\n\n")[0].split()),
    targets=[Target("baro predict", "absolute", 100.0)],
)
