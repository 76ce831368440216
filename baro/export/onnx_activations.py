"""Keras activation functions as ONNX nodes, for `Activation` layers and the
`activation=` argument of Dense, convolutions and friends.

Each builder takes the graph, the input Value and a name hint, and returns the
output Value. Functions are recognised by identity with `baro.activations`'
own functions, since a layer stores the function itself; anything else (a lambda,
a user function) has no ONNX form here and is refused by name.
"""

from __future__ import annotations

import math

import numpy as np

from baro import activations
from baro.export.onnx_graph import GraphBuilder, Value
from baro.ops.activation import _SELU_ALPHA, _SELU_SCALE


def _scalar(g: GraphBuilder, x: Value, value: float, hint: str) -> Value:
    return g.constant(np.asarray(value, dtype=x.dtype), hint)


def _same(g: GraphBuilder, op: str, x: Value, hint: str, **attrs) -> Value:
    return g.op(op, [x], name=hint, shape=x.shape, **attrs)


def _times_self(g: GraphBuilder, gate: Value, x: Value, hint: str) -> Value:
    return g.op("Mul", [x, gate], name=hint, shape=x.shape)


def _relu6(g, x, hint):
    return g.op("Clip", [x, _scalar(g, x, 0.0, "zero"), _scalar(g, x, 6.0, "six")],
                name=hint, shape=x.shape)


def _hard_sigmoid(g, x, hint):
    # Keras 3: relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1).
    return _same(g, "HardSigmoid", x, hint, alpha=1.0 / 6.0, beta=0.5)


def _gelu(g, x, hint):
    # Keras's default is the exact form x/2 * (1 + erf(x / sqrt(2))); the Gelu op
    # arrives only in opset 20, so it is spelled out.
    scaled = g.op("Mul", [x, _scalar(g, x, 1.0 / math.sqrt(2.0), "inv_sqrt2")])
    one_plus = g.op("Add", [g.op("Erf", [scaled]), _scalar(g, x, 1.0, "one")])
    half_x = g.op("Mul", [x, _scalar(g, x, 0.5, "half")])
    return g.op("Mul", [half_x, one_plus], name=hint, shape=x.shape)


def _silu(g, x, hint):
    return _times_self(g, g.op("Sigmoid", [x]), x, hint)


def _hard_silu(g, x, hint):
    return _times_self(g, g.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5), x,
                       hint)


def _mish(g, x, hint):
    return _times_self(g, g.op("Tanh", [g.op("Softplus", [x])]), x, hint)


def _log_sigmoid(g, x, hint):
    # log(sigmoid(x)) = -softplus(-x): stable where sigmoid underflows.
    return g.op("Neg", [g.op("Softplus", [g.op("Neg", [x])])], name=hint,
                shape=x.shape)


def _hard_tanh(g, x, hint):
    return g.op("Clip", [x, _scalar(g, x, -1.0, "minus_one"),
                         _scalar(g, x, 1.0, "one")], name=hint, shape=x.shape)


def _tanh_shrink(g, x, hint):
    return g.op("Sub", [x, g.op("Tanh", [x])], name=hint, shape=x.shape)


def softmax(g: GraphBuilder, x: Value, hint: str, axis=-1,
            log: bool = False) -> Value:
    """Softmax (or log-softmax) over one axis, or over several by flattening
    them: ONNX's Softmax takes a single axis."""
    op = "LogSoftmax" if log else "Softmax"
    if isinstance(axis, (int, np.integer)):
        return g.op(op, [x], name=hint, shape=x.shape, axis=int(axis))
    rank = len(x.shape)
    axes = sorted(int(a) % rank for a in axis)
    if axes != list(range(axes[0], rank)) or any(
            x.shape[a] is None for a in axes):
        raise ValueError(
            f"ONNX export: softmax over axes {tuple(axis)} of a rank-{rank} "
            f"tensor of shape {x.shape} needs the axes to be the trailing ones "
            "with known sizes.")
    head = [0] * axes[0] + [-1]
    flat = g.op("Reshape", [x, g.ints(head, "shape")])
    y = g.op(op, [flat], axis=-1)
    return g.op("Reshape", [y, g.ints([0] * axes[0] + [x.shape[a] for a in axes],
                                      "shape")], name=hint, shape=x.shape)


_BUILDERS = {
    activations.relu: lambda g, x, h: _same(g, "Relu", x, h),
    activations.sigmoid: lambda g, x, h: _same(g, "Sigmoid", x, h),
    activations.tanh: lambda g, x, h: _same(g, "Tanh", x, h),
    activations.softmax: lambda g, x, h: softmax(g, x, h),
    activations.log_softmax: lambda g, x, h: softmax(g, x, h, log=True),
    activations.elu: lambda g, x, h: _same(g, "Elu", x, h, alpha=1.0),
    activations.selu: lambda g, x, h: _same(g, "Selu", x, h, alpha=_SELU_ALPHA,
                                            gamma=_SELU_SCALE),
    activations.celu: lambda g, x, h: _same(g, "Celu", x, h, alpha=1.0),
    activations.gelu: _gelu,
    activations.leaky_relu: lambda g, x, h: _same(g, "LeakyRelu", x, h,
                                                  alpha=0.2),
    activations.softplus: lambda g, x, h: _same(g, "Softplus", x, h),
    activations.softsign: lambda g, x, h: _same(g, "Softsign", x, h),
    activations.silu: _silu,
    activations.hard_sigmoid: _hard_sigmoid,
    activations.hard_silu: _hard_silu,
    activations.relu6: _relu6,
    activations.exponential: lambda g, x, h: _same(g, "Exp", x, h),
    activations.mish: _mish,
    activations.log_sigmoid: _log_sigmoid,
    activations.hard_tanh: _hard_tanh,
    activations.tanh_shrink: _tanh_shrink,
}

# Elementwise: they may run in any layout (before a convolution's transpose back).
_AXIS_BOUND = (activations.softmax, activations.log_softmax)


def supported_names() -> list[str]:
    """Names of the activation functions the exporter writes."""
    return sorted(["linear"] + [fn.__name__ for fn in _BUILDERS])


def is_elementwise(fn) -> bool:
    """True unless the activation depends on the layout (softmax's axis)."""
    return not any(fn is f for f in _AXIS_BOUND)


def apply(g: GraphBuilder, fn, x: Value, hint: str, owner: str) -> Value:
    """`fn(x)` as ONNX nodes; `linear` adds nothing.

    Raises:
        ValueError: If `fn` is not one of the supported Keras activations,
            naming `owner` (the layer) and listing the supported ones.
    """
    if fn is None or fn is activations.linear:
        return x
    for known, build in _BUILDERS.items():
        if fn is known:
            return build(g, x, hint)
    name = getattr(fn, "__name__", type(fn).__name__)
    raise ValueError(
        f"ONNX export: {owner} uses the activation {name!r}, which has no ONNX "
        f"form in baro. Supported activations: {', '.join(supported_names())}. "
        "Use one of them, or an activation layer (ReLU, LeakyReLU, ...).")
