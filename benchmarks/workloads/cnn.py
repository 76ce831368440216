"""The Keras MNIST convnet: Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3,
relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax), Adam(1e-3), batch 128,
random 28x28x1 float32 images with random labels. Each repetition trains 100
batches (12,800 samples) and is scaled x4.6875 to a 60,000-sample epoch, as the
issue's reference figures are.

baro and Keras 3 run `fit` (NHWC); PyTorch runs eager NCHW (its default) and NHWC
(`channels_last`), JAX a jitted NHWC step, all from baro's initial weights (the
dense kernel's rows reordered for torch's NCHW flattening). GFLOP/s count 2mnk
per im2col matmul, 3 per layer per step.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import Peers, Target, Variant, Workload
from benchmarks.workloads import _shared

EPOCH = 60_000
BATCH = 128
QUICK_BATCH = 16
BATCHES = 100
LEARNING_RATE = 1e-3


def sample_flops() -> float:
    """Forward, dW and dX matmuls of one sample, 2mnk each."""
    conv1 = 2 * 26 * 26 * 32 * (3 * 3 * 1)
    conv2 = 2 * 11 * 11 * 64 * (3 * 3 * 32)
    dense = 2 * 1600 * 10
    return 3 * (conv1 + conv2 + dense)


def keras_model(module):
    """The convnet through baro.keras or Keras 3 (the same code)."""
    layers = module.layers
    model = module.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(_shared.keras_optimizer(module, LEARNING_RATE),
                  "sparse_categorical_crossentropy")
    return model


def torch_model(torch, initial: list[np.ndarray], channels_last: bool):
    """The same net in NCHW modules, starting from Keras-layout weights."""
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(1600, 10))
    weights = list(initial)
    # Keras flattens (h, w, c), torch (c, h, w): reorder the dense kernel's rows.
    weights[-2] = weights[-2].reshape(5, 5, 64, 10).transpose(2, 0, 1, 3)
    weights[-2] = weights[-2].reshape(1600, 10)
    _shared.torch_from_keras(torch, [net[0], net[3], net[7]], weights)
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
    return net


def jax_forward(jax):
    """forward(params, x) -> logits, NHWC with Keras-layout (HWIO) kernels."""
    lax, jnp = jax.lax, jax.numpy
    layout = ("NHWC", "HWIO", "NHWC")

    def conv_relu(x, kernel, bias):
        y = lax.conv_general_dilated(x, kernel, (1, 1), "VALID",
                                     dimension_numbers=layout)
        return jax.nn.relu(y + bias)

    def pool(x):
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                 "VALID")

    def forward(params, x):
        k1, b1, k2, b2, dense, bias = params
        x = pool(conv_relu(pool(conv_relu(x, k1, b1)), k2, b2))
        return x.reshape(x.shape[0], -1) @ dense + bias

    return forward


def make_variants(quick: bool, peers: Peers) -> list[Variant]:
    # --quick only checks that everything runs: a small batch keeps it fast.
    batch = QUICK_BATCH if quick else BATCH
    rows = 2 * batch + batch // 2 if quick else BATCHES * BATCH
    scale = EPOCH / rows
    x, y = _shared.random_classification(rows, (28, 28, 1))
    import baro
    from baro import keras as baro_keras

    baro.utils.set_random_seed(0)

    def torch_runs(torch, initial):
        nchw = np.ascontiguousarray(np.moveaxis(x, -1, 1))
        return [(torch_model(torch, initial, False), nchw, {}),
                (torch_model(torch, initial, True), nchw, {"channels_last": True})]

    return _shared.epoch_variants(peers, keras_model(baro_keras), keras_model, x, y,
                                  batch, scale, LEARNING_RATE, torch_runs,
                                  jax_forward)

WORKLOAD = Workload(
    name="cnn",
    title="CNN conv32-pool-conv64-pool-dense, batch 128, epoch of 60k",
    unit="s/epoch",
    variants=make_variants,
    repeats=5,
    description=" ".join(__doc__.split("\n\n")[0].split()),
    flops=sample_flops() * EPOCH,
    targets=[Target("baro fit", "torch eager", 1.0)],
)
