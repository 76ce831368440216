"""float32 stays float32: every op's output and every backward gradient.

A stray float64 (a NumPy float64 scalar, `bool_array / 6`) silently halves SIMD
throughput and doubles memory; the engine would cast gradients back, hiding it.
So each node's raw backward output is checked here, before the engine's cast.
"""

import numpy as np
import pytest

import baro
from baro import ops
from baro.core import engine

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4)).astype(np.float32)
P = (np.abs(X) + 0.5).astype(np.float32)
W = rng.standard_normal((4, 2)).astype(np.float32)
LABELS = np.array([0, 3, 1])
K1 = np.ones((2, 4, 2), np.float32)
K2 = np.ones((2, 2, 1, 2), np.float32)
KT = np.ones((2, 2, 3, 1), np.float32)

OPS = {
    "add": lambda x: x + 1.5, "sub": lambda x: 2.0 - x, "mul": lambda x: x * 3,
    "div": lambda x: x / 7.0, "rdiv": lambda x: 1.0 / (x * x + 1.0),
    "pow": lambda x: x**3, "sqrt_pow": lambda x: (x * x + 1.0) ** 0.5,
    "tensor_pow": lambda x: ops.power(x * x + 1.0, x),
    "maximum": lambda x: ops.maximum(x, 0.1), "minimum": lambda x: ops.minimum(x, 0.1),
    "exp": ops.exp, "log": lambda x: ops.log(x * x + 1.0),
    "log1p": lambda x: ops.log1p(x * x), "sqrt": lambda x: ops.sqrt(x * x + 1.0),
    "rsqrt": lambda x: ops.rsqrt(x * x + 1.0), "abs": ops.abs, "sin": ops.sin,
    "cos": ops.cos, "erf": ops.erf, "clip": lambda x: ops.clip(x, -0.5, 0.5),
    "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "relu6": ops.relu6,
    "leaky_relu": ops.leaky_relu, "elu": ops.elu, "selu": ops.selu,
    "gelu": ops.gelu, "gelu_exact": lambda x: ops.gelu(x, approximate=False),
    "softplus": ops.softplus, "softsign": ops.softsign, "silu": ops.silu,
    "hard_sigmoid": ops.hard_sigmoid, "softmax": ops.softmax,
    "log_softmax": ops.log_softmax, "sum": lambda x: ops.sum(x, axis=0),
    "mean": lambda x: ops.mean(x, axis=1), "max": lambda x: ops.max(x, axis=1),
    "min": ops.min, "prod": lambda x: ops.prod(x, axis=0), "var": ops.var,
    "std": lambda x: ops.std(x, axis=0), "logsumexp": lambda x: ops.logsumexp(x, 1),
    "cumsum": lambda x: ops.cumsum(x, axis=1), "reshape": lambda x: x.reshape(4, 3),
    "transpose": lambda x: x.T, "expand": lambda x: ops.expand_dims(x, 0),
    "broadcast": lambda x: ops.broadcast_to(x, (2, 3, 4)),
    "concat": lambda x: ops.concatenate([x, x], axis=1),
    "stack": lambda x: ops.stack([x, x]), "split": lambda x: ops.split(x, 2, 1)[1],
    "tile": lambda x: ops.tile(x, (2, 1)), "repeat": lambda x: ops.repeat(x, 2, 0),
    "pad": lambda x: ops.pad(x, 1), "pad_reflect": lambda x: ops.pad(x, 1, "reflect"),
    "getitem": lambda x: x[1:, ::2], "fancy": lambda x: x[[0, 0, 2]],
    "take": lambda x: ops.take(x, [1, 1, 3], axis=1),
    "take_along": lambda x: ops.take_along_axis(x, np.zeros((3, 1), int), 1),
    "where": lambda x: ops.where(x > 0, x, x * 2),
    "matmul": lambda x: x @ W,
    "conv1d": lambda x: ops.conv(x[None], K1, padding="same"),
    "conv2d": lambda x: ops.conv(x[None, :, :, None], K2, strides=2, padding="same"),
    "conv_transpose": lambda x: ops.conv_transpose(x[None, :, :, None], KT, 2),
    "max_pool": lambda x: ops.max_pool(x[None, :, :, None], 2, padding="same"),
    "avg_pool": lambda x: ops.average_pool(x[None, :, :, None], 2, 1, padding="same"),
    "dropout": lambda x: ops.dropout(x, 0.5, seed=0),
    "sparse_ce": lambda x: ops.softmax_cross_entropy(LABELS, x),
    "dense_ce": lambda x: ops.softmax_cross_entropy(np.eye(4)[LABELS], x),
    "sigmoid_bce": lambda x: ops.sigmoid_binary_cross_entropy(np.ones((3, 4)), x),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_float32_in_float32_out_and_in_every_gradient(name, monkeypatch):
    real_step = engine._step
    offenders = []

    def checked_step(node, grads_out, deliver, retain_graph):
        original = node.backward

        def backward(*gs):
            result = original(*gs)
            for g in result if isinstance(result, tuple) else (result,):
                if g is not None and g.dtype != np.float32:
                    offenders.append(f"{node.name} returned {g.dtype}")
            return result

        node.backward = backward
        return real_step(node, grads_out, deliver, retain_graph)

    monkeypatch.setattr(engine, "_step", checked_step)
    x = baro.Tensor(X.copy(), requires_grad=True)
    y = OPS[name](x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert not offenders, offenders
