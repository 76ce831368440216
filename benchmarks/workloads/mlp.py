"""The issue-3 MLP: Dense(512, relu) -> Dense(512, relu) -> Dense(10, softmax),
sparse categorical cross-entropy, Adam(1e-3), one shuffled epoch of 60,000 random
784-feature float32 rows with random labels, at batch 1000 and at batch 128.

baro and Keras 3 run `model.fit(x, y, batch_size=B, epochs=1)` on the same model
code; PyTorch runs an eager loop (Linear/ReLU, `cross_entropy` on logits) and JAX a
jitted step, all from baro's initial weights. GFLOP/s count 2mnk per matmul and 3
matmuls per layer per step (forward, dW, dX), ~241 GFLOP per epoch.
"""

from __future__ import annotations

from benchmarks.common import Peers, Target, Variant, Workload
from benchmarks.workloads import _shared

ROWS = 60_000
LAYERS = (784, 512, 512, 10)
LEARNING_RATE = 1e-3


def epoch_flops(rows: int = ROWS) -> float:
    """2mnk per matmul, 3 matmuls (forward, dW, dX) per layer, `rows` samples."""
    pairs = zip(LAYERS[:-1], LAYERS[1:], strict=True)
    return 3 * 2 * rows * sum(fan_in * fan_out for fan_in, fan_out in pairs)


def keras_model(module):
    """The MLP through baro.keras or Keras 3 (the same code)."""
    hidden = [module.layers.Dense(n, activation="relu") for n in LAYERS[1:-1]]
    model = module.Sequential([module.layers.Input((LAYERS[0],)), *hidden,
                               module.layers.Dense(LAYERS[-1], activation="softmax")])
    model.compile(_shared.keras_optimizer(module, LEARNING_RATE),
                  "sparse_categorical_crossentropy")
    return model


def torch_model(torch, initial):
    """nn.Sequential of Linear/ReLU ending in logits, from Keras-layout weights."""
    modules = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:], strict=True):
        modules += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    net = torch.nn.Sequential(*modules[:-1])
    _shared.torch_from_keras(torch, net[::2], initial)
    return net


def jax_forward(jax):
    """forward(params, x) -> logits for flat [w1, b1, w2, b2, w3, b3] params."""
    def forward(params, x):
        for i in range(0, len(params) - 2, 2):
            x = jax.nn.relu(x @ params[i] + params[i + 1])
        return x @ params[-2] + params[-1]

    return forward


def fresh_baro_model():
    """A seeded baro MLP (the weights every framework starts from)."""
    import baro
    from baro import keras as baro_keras

    baro.utils.set_random_seed(0)
    return keras_model(baro_keras)


def make_variants(batch: int, quick: bool, peers: Peers) -> list[Variant]:
    rows = 2 * batch + batch // 2 if quick else ROWS
    scale = ROWS / rows  # quick runs are scaled to a 60,000-row epoch too
    x, y = _shared.random_classification(rows, (LAYERS[0],))
    return _shared.epoch_variants(
        peers, fresh_baro_model(), keras_model, x, y, batch, scale, LEARNING_RATE,
        lambda torch, initial: [(torch_model(torch, initial), x, {})], jax_forward)

def _description(batch: int) -> str:
    text = " ".join(__doc__.split("\n\n")[0].split())
    return f"{text} This table: batch {batch}."


BATCH_1000 = Workload(
    name="mlp1000",
    title="MLP 784-512-512-10, one epoch of 60k, batch 1000",
    unit="s/epoch",
    variants=lambda quick, peers: make_variants(1000, quick, peers),
    repeats=5,
    description=_description(1000),
    flops=epoch_flops(),
    targets=[Target("baro fit", "torch eager", 1.0),
             Target("baro fit", "peak", 0.85)],
)

BATCH_128 = Workload(
    name="mlp128",
    title="MLP 784-512-512-10, one epoch of 60k, batch 128",
    unit="s/epoch",
    variants=lambda quick, peers: make_variants(128, quick, peers),
    repeats=5,
    description=_description(128),
    flops=epoch_flops(),
    targets=[Target("baro fit", "torch eager", 1.0)],
)
