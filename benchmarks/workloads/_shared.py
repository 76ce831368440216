"""Pieces the training workloads share: Keras-API runners (baro and Keras 3 run the
same model code), PyTorch and JAX epoch loops, and Adam written out for the peers
that need it by hand.

Adam everywhere is Keras's form (Kingma & Ba 2015 with epsilon outside the root):
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    m += (1 - beta_1) * (g - m);  v += (1 - beta_2) * (g^2 - v)
    w -= alpha * m / (sqrt(v) + epsilon),  epsilon = 1e-7
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import numpy as np

from benchmarks.common import Notes, Variant

BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7


def random_classification(rows: int, shape: tuple[int, ...], seed: int = 0):
    """Uniform float32 inputs and random labels 0..9 (the peers' synthetic data)."""
    rng = np.random.default_rng(seed)
    x = rng.random((rows, *shape), dtype=np.float32)
    y = rng.integers(0, 10, rows).astype(np.int64)
    return x, y


def warm_rows(rows: int, batch: int) -> int:
    """A full batch plus the epoch's last (partial) batch: both input signatures."""
    return batch + (rows % batch or batch)


def keras_snapshot(model) -> Callable[[], None]:
    """A function that puts back the weights and optimizer state `model` has now.

    Every repetition then trains from the same point, so all do the same work:
    later epochs of a long run differ (for one, Adam's moments of dead ReLU
    units decay into subnormal floats, which slows both baro and PyTorch several
    times over; XLA flushes them to zero).
    """
    weights = [np.array(w, copy=True) for w in model.get_weights()]
    slots = [np.array(v.numpy(), copy=True) for v in model.optimizer.variables]

    def restore() -> None:
        model.set_weights(weights)
        for variable, value in zip(model.optimizer.variables, slots, strict=True):
            variable.assign(value)

    return restore


def keras_fit_variant(framework: str, label: str, model, x, y, batch: int,
                      scale: float) -> Variant:
    """One `model.fit` epoch per repetition (baro or Keras 3), scaled to `scale`.

    The warm-up fits two epochs of a full and a partial batch: baro traces each
    input signature twice before it replays a compiled step, Keras traces once.
    Each repetition starts from the state the warm-up left.
    """
    warm = warm_rows(len(x), batch)
    restore = []

    def warmup():
        model.fit(x[:warm], y[:warm], batch_size=batch, epochs=2, verbose=0)
        restore[:] = [keras_snapshot(model)]

    def run() -> tuple[float, Notes]:
        if restore:
            restore[0]()
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
        return seconds * scale, {"loss": round(history.history["loss"][-1], 4)}

    return Variant(framework, label, run, warmup)


def keras_optimizer(module, learning_rate: float):
    """Adam with Keras defaults (epsilon 1e-7) from baro.keras or keras."""
    return module.optimizers.Adam(learning_rate=learning_rate)


def torch_from_keras(torch, modules, weights) -> None:
    """Copies Keras-layout weights into torch modules (Linear, Conv2d, LSTM)."""
    weights = list(weights)
    with torch.no_grad():
        for module in modules:
            if isinstance(module, torch.nn.LSTM):
                kernel, recurrent, bias = weights[:3]
                del weights[:3]
                # Keras gates i, f, c, o = torch's i, f, g, o; torch adds two biases.
                module.weight_ih_l0.copy_(torch.from_numpy(kernel.T.copy()))
                module.weight_hh_l0.copy_(torch.from_numpy(recurrent.T.copy()))
                module.bias_ih_l0.copy_(torch.from_numpy(bias))
                module.bias_hh_l0.zero_()
                continue
            kernel, bias = weights[:2]
            del weights[:2]
            if isinstance(module, torch.nn.Conv2d):
                kernel = kernel.transpose(3, 2, 0, 1)  # (kh, kw, in, out) -> OIHW
            else:
                kernel = kernel.T
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            module.bias.copy_(torch.from_numpy(bias))


def torch_epoch_variant(torch, model, x, y, batch: int, scale: float,
                        learning_rate: float = 1e-3,
                        channels_last: bool = False) -> Variant:
    """PyTorch eager: one shuffled epoch of Adam steps with cross-entropy.

    `channels_last` feeds NCHW batches in NHWC memory format (a non-reference row).
    """
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate, eps=EPSILON)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    cross_entropy = torch.nn.functional.cross_entropy

    def epoch(rows: int) -> float:
        order = torch.randperm(rows)
        total = 0.0
        for i in range(0, rows, batch):
            idx = order[i:i + batch]
            xb = xt[idx]
            if channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            opt.zero_grad()
            loss = cross_entropy(model(xb), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / rows

    saved = []

    def run() -> tuple[float, Notes]:
        if saved:  # every repetition starts from the state the warm-up left
            model.load_state_dict(saved[0])
            opt.load_state_dict(saved[1])
        start = time.perf_counter()
        loss = epoch(len(xt))
        return (time.perf_counter() - start) * scale, {"loss": round(loss, 4)}

    def warmup() -> None:
        epoch(warm_rows(len(xt), batch))
        saved[:] = [copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())]

    if channels_last:
        return Variant("torch", "eager NHWC", run, warmup)
    return Variant("torch", "eager", run, warmup, reference=True)


def jax_adam(jax, params, grads, m, v, t, learning_rate: float):
    """One Keras-form Adam update on pytrees (inside a jitted step)."""
    jnp = jax.numpy
    t = t + 1
    alpha = learning_rate * jnp.sqrt(1 - BETA_2 ** t) / (1 - BETA_1 ** t)
    tree = jax.tree_util.tree_map
    m = tree(lambda m, g: m + (1 - BETA_1) * (g - m), m, grads)
    v = tree(lambda v, g: v + (1 - BETA_2) * (g * g - v), v, grads)
    params = tree(lambda p, m, v: p - alpha * m / (jnp.sqrt(v) + EPSILON),
                  params, m, v)
    return params, m, v, t


def jax_epoch_variant(jax, forward: Callable, params: list, x, y, batch: int,
                      scale: float, learning_rate: float = 1e-3) -> Variant:
    """JAX: a jitted step (value_and_grad + Adam) called from a Python epoch loop.

    The data stays on the device; each step gathers its batch inside the jit.
    """
    jnp = jax.numpy

    def loss_fn(params, xb, yb):
        logits = forward(params, xb)
        log_p = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(log_p, yb[:, None], axis=1))

    @jax.jit
    def step(state, xs, ys, idx):
        params, m, v, t = state
        loss, grads = jax.value_and_grad(loss_fn)(params, xs[idx], ys[idx])
        return jax_adam(jax, params, grads, m, v, t, learning_rate), loss

    zeros = [jnp.zeros_like(p) for p in params]
    state = [(list(params), zeros, list(zeros), jnp.zeros((), jnp.float32)), None]
    xs, ys = jnp.asarray(x), jnp.asarray(y.astype(np.int32))
    rng = np.random.default_rng(0)

    def epoch(rows: int) -> float:
        order = rng.permutation(rows).astype(np.int32)
        total = 0.0
        current = state[0]
        for i in range(0, rows, batch):
            idx = order[i:i + batch]
            current, loss = step(current, xs, ys, idx)
            total += float(loss) * len(idx)
        state[1] = current  # state[0] stays what the warm-up left (immutable)
        return total / rows

    def run() -> tuple[float, Notes]:
        start = time.perf_counter()
        loss = epoch(len(x))
        return (time.perf_counter() - start) * scale, {"loss": round(loss, 4)}

    def warmup() -> None:
        epoch(warm_rows(len(x), batch))
        state[0] = state[1]

    return Variant("jax", "jit step", run, warmup)


def glorot(shape: tuple[int, ...], fan_in: int, fan_out: int, rng) -> np.ndarray:
    """Glorot-uniform float32 weights (Keras's default kernel initializer)."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def epoch_variants(peers, model, keras_model: Callable, x, y, batch: int,
                   scale: float, learning_rate: float, torch_runs: Callable,
                   jax_forward: Callable) -> list[Variant]:
    """The variants of an epoch workload (MLP, CNN, LSTM): baro's `fit`, then
    each installed peer from baro's initial weights.

    Args:
        peers: The `Peers` to compare with.
        model: The fresh baro model (its weights are every peer's start).
        keras_model: module -> the same model built with that Keras module.
        torch_runs: (torch, initial weights) -> [(torch model, x for it,
            extra `torch_epoch_variant` keywords)], one per PyTorch row.
        jax_forward: jax -> forward(params, x) for `jax_epoch_variant`.
    """
    initial = [w.copy() for w in model.get_weights()]
    found = [keras_fit_variant("baro", "fit", model, x, y, batch, scale)]
    if (torch := peers.get("torch")) is not None:
        for net, data, extra in torch_runs(torch, initial):
            found.append(torch_epoch_variant(torch, net, data, y, batch, scale,
                                             learning_rate, **extra))
    if (jax := peers.get("jax")) is not None:
        found.append(jax_epoch_variant(jax, jax_forward(jax), initial, x, y, batch,
                                       scale, learning_rate))
    if (keras := peers.get("keras")) is not None:
        peer = keras_model(keras)
        peer.set_weights(initial)
        found.append(keras_fit_variant("keras", "fit", peer, x, y, batch, scale))
    return found
