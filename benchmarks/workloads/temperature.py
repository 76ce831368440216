"""The TF-book exercise: a degree-4 polynomial through 12 monthly temperatures.

Features x^0..x^4 of the month scaled to [-1, 1] ((m - 6.5) / 5.5), weights w
(5, 1) starting at zero, loss sum((x @ w - t)^2), 100,000 Adam steps of the whole
12-row batch. Per-step overhead is everything here: the issue's target is at most
0.1x PyTorch eager and within 1.5x of a lean hand-written NumPy loop.

baro runs it through the TF1 Session (`baro.compat.v1`, the book's code) and
through `model.fit(x, y, epochs=N, batch_size=12)` (a Keras user's code, loss
"mse": one epoch = one step; fewer epochs, the unit is per step).
"""

from __future__ import annotations

import math
import time

import numpy as np

from benchmarks.common import Notes, Peers, Target, Variant, Workload
from benchmarks.workloads._shared import BETA_1, BETA_2, EPSILON

STEPS = 100_000
FIT_STEPS = 20_000  # fit pays per-epoch callbacks too; µs/step is comparable
LEARNING_RATE = 1e-3  # TF1's AdamOptimizer default


def data() -> tuple[np.ndarray, np.ndarray]:
    from baro.datasets import load_temperatures

    months, temperatures = load_temperatures()
    scaled = (months.astype(np.float64) - 6.5) / 5.5
    x = np.stack([scaled**n for n in range(5)], axis=1).astype(np.float32)
    return x, temperatures.reshape(12, 1).astype(np.float32)


def _per_step(seconds: float, steps: int) -> float:
    return seconds / steps * 1e6


def numpy_variant(steps: int) -> Variant:
    """The floor: float32, preallocated buffers, in-place Adam (13 ufunc calls)."""
    x, t = data()

    def run(count: int = steps) -> tuple[float, Notes]:
        w = np.zeros((5, 1), np.float32)
        m, v, g, tmp = (np.zeros_like(w) for _ in range(4))
        r = np.empty_like(t)
        xt = x.T
        start = time.perf_counter()
        for step in range(1, count + 1):
            np.matmul(x, w, out=r)
            r -= t
            r *= 2.0  # d/d(x@w) of the summed squares
            np.matmul(xt, r, out=g)
            alpha = LEARNING_RATE * math.sqrt(1 - BETA_2**step) / (1 - BETA_1**step)
            np.subtract(g, m, out=tmp)
            tmp *= 1 - BETA_1
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - BETA_2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += EPSILON
            np.divide(m, tmp, out=tmp)
            tmp *= alpha
            w -= tmp
        seconds = time.perf_counter() - start
        loss = float(((x @ w - t) ** 2).sum())
        return _per_step(seconds, count), {"loss": round(loss, 3)}

    return Variant("numpy", "loop", run, lambda: run(100), reference=True)


def session_variant(steps: int) -> Variant:
    import baro.compat.v1 as tf

    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 5])
    t = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.zeros([5, 1]))
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - t))
    train = tf.train.AdamOptimizer(LEARNING_RATE, epsilon=EPSILON).minimize(loss)
    init = tf.global_variables_initializer()
    sess = tf.Session()
    train_x, train_t = data()
    feed = {x: train_x, t: train_t}

    def loop(count: int) -> float:
        sess.run(init)
        start = time.perf_counter()
        for _ in range(count):
            sess.run(train, feed_dict=feed)
        return time.perf_counter() - start

    def run() -> tuple[float, Notes]:
        seconds = loop(steps)
        final = float(sess.run(loss, feed_dict=feed))
        return _per_step(seconds, steps), {"loss": round(final, 3)}

    return Variant("baro", "Session", run, lambda: loop(100))


def fit_variant(framework: str, module, steps: int) -> Variant:
    """`fit(x, y, epochs=steps, batch_size=12)` through baro.keras or Keras 3."""
    x, t = data()

    model = module.Sequential([
        module.layers.Input((5,)),
        module.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    model.compile(module.optimizers.Adam(LEARNING_RATE), "mse")

    def run() -> tuple[float, Notes]:
        start = time.perf_counter()
        history = model.fit(x, t, epochs=steps, batch_size=12, verbose=0)
        seconds = time.perf_counter() - start
        final = 12 * history.history["loss"][-1]  # as a sum, like the other rows
        return _per_step(seconds, steps), {"loss": round(final, 3)}

    label = "fit" if framework == "baro" else "fit (epochs=N)"
    return Variant(framework, label, run,
                   lambda: model.fit(x, t, epochs=20, batch_size=12, verbose=0))


def torch_variant(torch, steps: int) -> Variant:
    x, t = (torch.from_numpy(a) for a in data())

    def run(count: int = steps) -> tuple[float, Notes]:
        w = torch.zeros((5, 1), requires_grad=True)
        opt = torch.optim.Adam([w], lr=LEARNING_RATE, eps=EPSILON)
        start = time.perf_counter()
        for _ in range(count):
            opt.zero_grad()
            loss = ((x @ w - t) ** 2).sum()
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        return _per_step(seconds, count), {"loss": round(loss.item(), 3)}

    return Variant("torch", "eager", run, lambda: run(100), reference=True)


def jax_variant(jax, steps: int) -> Variant:
    from benchmarks.workloads._shared import jax_adam

    jnp = jax.numpy
    x, t = (jnp.asarray(a) for a in data())

    def loss_fn(w):
        return jnp.sum((x @ w - t) ** 2)

    @jax.jit
    def step(state):
        w, m, v, n = state
        loss, g = jax.value_and_grad(loss_fn)(w)
        w, m, v, n = jax_adam(jax, w, g, m, v, n, LEARNING_RATE)
        return (w, m, v, n), loss

    def loop(count: int):
        zeros = jnp.zeros((5, 1), jnp.float32)
        state = (zeros, zeros, zeros, jnp.zeros((), jnp.float32))
        start = time.perf_counter()
        for _ in range(count):
            state, loss = step(state)
        loss.block_until_ready()
        return time.perf_counter() - start, float(loss)

    def run() -> tuple[float, Notes]:
        seconds, loss = loop(steps)
        return _per_step(seconds, steps), {"loss": round(loss, 3)}

    return Variant("jax", "jit step", run, lambda: loop(10))


def variants(quick: bool, peers: Peers) -> list[Variant]:
    steps = 200 if quick else STEPS
    fit_steps = 100 if quick else FIT_STEPS
    from baro import keras as baro_keras

    found = [numpy_variant(steps), session_variant(steps),
             fit_variant("baro", baro_keras, fit_steps)]
    if (torch := peers.get("torch")) is not None:
        found.append(torch_variant(torch, steps))
    if (jax := peers.get("jax")) is not None:
        found.append(jax_variant(jax, steps))
    if (keras := peers.get("keras")) is not None:
        # Keras fit pays milliseconds per epoch: a few hundred epochs suffice.
        found.append(fit_variant("keras", keras, 20 if quick else 300))
    return found


WORKLOAD = Workload(
    name="temperature",
    title="Temperature polynomial (12x5), Adam steps",
    unit="µs/step",
    variants=variants,
    repeats=3,
    description=__doc__.split("\n\n")[1].replace("\n", " "),
    targets=[Target("baro Session", "torch eager", 0.1),
             Target("baro Session", "numpy loop", 1.5),
             Target("baro fit", "torch eager", 0.1),
             Target("baro fit", "numpy loop", 1.5)],
)
