"""XOR with a 2-8-1 MLP: Dense(8, tanh) -> Dense(1, sigmoid), binary cross-entropy,
Adam(0.01), the four points as one batch, 10,000 steps.

baro runs the Keras way, `model.fit(x, y, epochs=10000, batch_size=4)` (one step
per epoch, so fit's per-epoch work counts), as a `train_on_batch` loop, and as TF1
graph code through `Session.run` (the issue allows fit or the Session). Every
peer starts from baro's initial weights. Target: at most 0.1x PyTorch eager and
within 1.5x of the hand-written NumPy loop.
"""

from __future__ import annotations

import math
import time

import numpy as np

from benchmarks.common import Notes, Peers, Target, Variant, Workload
from benchmarks.workloads._shared import BETA_1, BETA_2, EPSILON

STEPS = 10_000
LEARNING_RATE = 0.01
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
Y = np.array([[0], [1], [1], [0]], np.float32)


def _per_step(seconds: float, steps: int) -> float:
    return seconds / steps * 1e6


def keras_model(module):
    """The model through baro.keras or Keras 3 (same code)."""
    model = module.Sequential([module.layers.Input((2,)),
                               module.layers.Dense(8, activation="tanh"),
                               module.layers.Dense(1, activation="sigmoid")])
    model.compile(module.optimizers.Adam(LEARNING_RATE), "binary_crossentropy")
    return model


def numpy_variant(initial: list[np.ndarray], steps: int) -> Variant:
    """The floor: parameters as views of one flat float32 buffer, in-place Adam."""
    sizes = [w.size for w in initial]
    offsets = np.cumsum([0, *sizes])

    def views(flat):
        return [flat[a:b].reshape(w.shape)
                for a, b, w in zip(offsets[:-1], offsets[1:], initial, strict=True)]

    def run(count: int = steps) -> tuple[float, Notes]:
        flat = np.concatenate([w.ravel() for w in initial]).astype(np.float32)
        grad, m, v, tmp = (np.zeros_like(flat) for _ in range(4))
        w1, b1, w2, b2 = views(flat)
        g1, gb1, g2, gb2 = views(grad)
        h = np.empty((4, 8), np.float32)
        dh, hh = np.empty_like(h), np.empty_like(h)
        p = np.empty((4, 1), np.float32)
        xt = X.T
        start = time.perf_counter()
        for step in range(1, count + 1):
            np.matmul(X, w1, out=h)
            h += b1
            np.tanh(h, out=h)
            np.matmul(h, w2, out=p)
            p += b2
            np.negative(p, out=p)  # sigmoid as 1 / (1 + exp(-z)), in place
            np.exp(p, out=p)
            p += 1.0
            np.reciprocal(p, out=p)
            p -= Y  # d(mean BCE)/dz = (p - y) / n
            p *= 0.25
            np.matmul(h.T, p, out=g2)
            np.sum(p, axis=0, out=gb2)
            np.matmul(p, w2.T, out=dh)
            np.multiply(h, h, out=hh)  # tanh' = 1 - h^2
            np.subtract(1.0, hh, out=hh)
            dh *= hh
            np.matmul(xt, dh, out=g1)
            np.sum(dh, axis=0, out=gb1)
            alpha = LEARNING_RATE * math.sqrt(1 - BETA_2**step) / (1 - BETA_1**step)
            np.subtract(grad, m, out=tmp)
            tmp *= 1 - BETA_1
            m += tmp
            np.multiply(grad, grad, out=tmp)
            tmp -= v
            tmp *= 1 - BETA_2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += EPSILON
            np.divide(m, tmp, out=tmp)
            tmp *= alpha
            flat -= tmp
        seconds = time.perf_counter() - start
        out = 1 / (1 + np.exp(-(np.tanh(X @ w1 + b1) @ w2 + b2)))
        loss = -np.mean(Y * np.log(out) + (1 - Y) * np.log(1 - out))
        return _per_step(seconds, count), {"loss": f"{loss:.2g}"}

    return Variant("numpy", "loop", run, lambda: run(100), reference=True)


def fit_variant(framework: str, model, steps: int) -> Variant:
    def run() -> tuple[float, Notes]:
        start = time.perf_counter()
        history = model.fit(X, Y, epochs=steps, batch_size=4, verbose=0)
        seconds = time.perf_counter() - start
        return _per_step(seconds, steps), {"loss": f"{history.history['loss'][-1]:.2g}"}

    return Variant(framework, "fit", run,
                   lambda: model.fit(X, Y, epochs=20, batch_size=4, verbose=0))


def train_on_batch_variant(framework: str, model, steps: int) -> Variant:
    def loop(count: int):
        start = time.perf_counter()
        for _ in range(count):
            loss = model.train_on_batch(X, Y)
        return time.perf_counter() - start, loss

    def run() -> tuple[float, Notes]:
        seconds, loss = loop(steps)
        loss = loss[0] if isinstance(loss, list) else loss
        return _per_step(seconds, steps), {"loss": f"{float(loss):.2g}"}

    return Variant(framework, "train_on_batch", run, lambda: loop(20))


def session_variant(initial: list[np.ndarray], steps: int) -> Variant:
    """The same net in TF1 graph code (`baro.compat.v1`), as a course writes
    it: placeholders, Variables, sigmoid cross-entropy on logits, AdamOptimizer."""
    import baro.compat.v1 as tf

    def build():
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.float32, [None, 1])
        w1, b1, w2, b2 = (tf.Variable(w.copy()) for w in initial)
        logits = tf.matmul(tf.tanh(tf.matmul(x, w1) + b1), w2) + b2
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            labels=y, logits=logits))
        train = tf.train.AdamOptimizer(LEARNING_RATE, epsilon=EPSILON).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        return sess, train, loss, {x: X, y: Y}

    def loop(count: int):
        sess, train, loss, feed = build()
        start = time.perf_counter()
        for _ in range(count):
            sess.run(train, feed_dict=feed)
        return time.perf_counter() - start, float(sess.run(loss, feed_dict=feed))

    def run() -> tuple[float, Notes]:
        seconds, loss = loop(steps)
        return _per_step(seconds, steps), {"loss": f"{loss:.2g}"}

    return Variant("baro", "Session", run, lambda: loop(20))


def torch_variant(torch, initial: list[np.ndarray], steps: int) -> Variant:
    from benchmarks.workloads._shared import torch_from_keras

    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    bce = torch.nn.functional.binary_cross_entropy

    def run(count: int = steps) -> tuple[float, Notes]:
        net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(),
                                  torch.nn.Linear(8, 1), torch.nn.Sigmoid())
        torch_from_keras(torch, [net[0], net[2]], initial)
        opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE, eps=EPSILON)
        start = time.perf_counter()
        for _ in range(count):
            opt.zero_grad()
            loss = bce(net(x), y)
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        return _per_step(seconds, count), {"loss": f"{loss.item():.2g}"}

    return Variant("torch", "eager", run, lambda: run(100), reference=True)


def jax_variant(jax, initial: list[np.ndarray], steps: int) -> Variant:
    from benchmarks.workloads._shared import jax_adam

    jnp = jax.numpy
    x, y = jnp.asarray(X), jnp.asarray(Y)

    def loss_fn(params):
        w1, b1, w2, b2 = params
        z = jnp.tanh(x @ w1 + b1) @ w2 + b2
        # BCE of sigmoid(z), written stably in z.
        return jnp.mean(jnp.logaddexp(0.0, z) - y * z)

    @jax.jit
    def step(state):
        params, m, v, t = state
        loss, grads = jax.value_and_grad(loss_fn)(params)
        return jax_adam(jax, params, grads, m, v, t, LEARNING_RATE), loss

    def loop(count: int):
        params = [jnp.asarray(w) for w in initial]
        zeros = [jnp.zeros_like(w) for w in params]
        state = (params, zeros, list(zeros), jnp.zeros((), jnp.float32))
        start = time.perf_counter()
        for _ in range(count):
            state, loss = step(state)
        loss.block_until_ready()
        return time.perf_counter() - start, float(loss)

    def run() -> tuple[float, Notes]:
        seconds, loss = loop(steps)
        return _per_step(seconds, steps), {"loss": f"{loss:.2g}"}

    return Variant("jax", "jit step", run, lambda: loop(10))


def variants(quick: bool, peers: Peers) -> list[Variant]:
    import baro
    from baro import keras as baro_keras

    steps = 100 if quick else STEPS
    baro.utils.set_random_seed(0)
    fit_model = keras_model(baro_keras)
    initial = [w.copy() for w in fit_model.get_weights()]
    batch_model = keras_model(baro_keras)
    batch_model.set_weights(initial)
    found = [numpy_variant(initial, steps), fit_variant("baro", fit_model, steps),
             train_on_batch_variant("baro", batch_model, steps),
             session_variant(initial, steps)]
    if (torch := peers.get("torch")) is not None:
        found.append(torch_variant(torch, initial, steps))
    if (jax := peers.get("jax")) is not None:
        found.append(jax_variant(jax, initial, steps))
    if (keras := peers.get("keras")) is not None:
        model = keras_model(keras)
        model.set_weights(initial)
        # Keras's per-call cost is milliseconds: fewer steps, same unit.
        found.append(train_on_batch_variant("keras", model, 20 if quick else 1000))
    return found


WORKLOAD = Workload(
    name="xor",
    title="XOR 2-8-1, Adam steps (batch 4)",
    unit="µs/step",
    variants=variants,
    repeats=3,
    description=__doc__.split("\n\n")[0].replace("\n", " "),
    targets=[Target("baro fit", "torch eager", 0.1),
             Target("baro fit", "numpy loop", 1.5),
             Target("baro train_on_batch", "torch eager", 0.1),
             Target("baro Session", "torch eager", 0.1),
             Target("baro Session", "numpy loop", 1.5)],
)
