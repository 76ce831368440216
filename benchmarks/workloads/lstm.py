"""LSTM(128) -> Dense(10, softmax) on 10,000 random float32 sequences of 28 steps x
28 features (MNIST rows as timesteps) with random labels, sparse categorical
cross-entropy, Adam(1e-3), batch 128, one shuffled epoch.

baro and Keras 3 run `fit`; PyTorch runs eager `nn.LSTM(batch_first=True)` +
`nn.Linear` and JAX a jitted `lax.scan`, from baro's initial weights (Keras gates
i, f, c, o are torch's i, f, g, o; torch's second bias is zero). GFLOP/s count
the input projection, recurrent and dense matmuls, 2mnk each, 3 per layer per
step.
"""

from __future__ import annotations

from benchmarks.common import Peers, Target, Variant, Workload
from benchmarks.workloads import _shared

ROWS = 10_000
STEPS, FEATURES, UNITS = 28, 28, 128
BATCH = 128
QUICK_BATCH = 16
LEARNING_RATE = 1e-3


def sample_flops() -> float:
    """Forward, dW and dX matmuls of one sequence, 2mnk each."""
    per_step = 2 * (FEATURES + UNITS) * 4 * UNITS
    return 3 * (STEPS * per_step + 2 * UNITS * 10)


def keras_model(module):
    """The classifier through baro.keras or Keras 3 (the same code)."""
    model = module.Sequential([module.layers.Input((STEPS, FEATURES)),
                               module.layers.LSTM(UNITS),
                               module.layers.Dense(10, activation="softmax")])
    model.compile(_shared.keras_optimizer(module, LEARNING_RATE),
                  "sparse_categorical_crossentropy")
    return model


def torch_model(torch, initial):
    """nn.LSTM + nn.Linear on the last hidden state, from Keras-layout weights."""

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = torch.nn.LSTM(FEATURES, UNITS, batch_first=True)
            self.out = torch.nn.Linear(UNITS, 10)

        def forward(self, inputs):
            _, (h, _) = self.rnn(inputs)
            return self.out(h[0])

    net = Net()
    _shared.torch_from_keras(torch, [net.rnn, net.out], initial)
    return net


def jax_forward(jax):
    """forward(params, x) -> logits: the LSTM as a `lax.scan` over timesteps."""
    jnp = jax.numpy
    sigmoid = jax.nn.sigmoid

    def forward(params, x):
        kernel, recurrent, bias, dense, dense_bias = params
        inputs = jnp.swapaxes(x @ kernel + bias, 0, 1)  # (time, batch, 4 units)

        def cell(state, projected):
            h, c = state
            i, f, g, o = jnp.split(projected + h @ recurrent, 4, axis=-1)
            c = sigmoid(f) * c + sigmoid(i) * jnp.tanh(g)
            h = sigmoid(o) * jnp.tanh(c)
            return (h, c), None

        zeros = jnp.zeros((x.shape[0], UNITS), x.dtype)
        (h, _), _ = jax.lax.scan(cell, (zeros, zeros), inputs)
        return h @ dense + dense_bias

    return forward


def make_variants(quick: bool, peers: Peers) -> list[Variant]:
    # --quick only checks that everything runs: a small batch keeps it fast.
    batch = QUICK_BATCH if quick else BATCH
    rows = 2 * batch + batch // 4 if quick else ROWS
    scale = ROWS / rows
    x, y = _shared.random_classification(rows, (STEPS, FEATURES))
    import baro
    from baro import keras as baro_keras

    baro.utils.set_random_seed(0)
    return _shared.epoch_variants(
        peers, keras_model(baro_keras), keras_model, x, y, batch, scale,
        LEARNING_RATE, lambda torch, initial: [(torch_model(torch, initial), x, {})],
        jax_forward)

WORKLOAD = Workload(
    name="lstm",
    title="LSTM(128) on 10k sequences of 28x28, batch 128, one epoch",
    unit="s/epoch",
    variants=make_variants,
    repeats=5,
    description=" ".join(__doc__.split("\n\n")[0].split()),
    flops=sample_flops() * ROWS,
    targets=[Target("baro fit", "torch eager", 1.0)],
)
