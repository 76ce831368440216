"""ONNX converters for the core, activation, normalization, regularization and
merging layers.

A converter is `fn(g, layer, inputs, **call_kwargs)`: `inputs` is a Value or a
list of Values (the call's first argument); it returns the output Value(s).
Weights become initializers holding their current values; inference-only
behaviour is what gets written (Dropout is the identity, BatchNormalization uses
its moving statistics).
"""

from __future__ import annotations

import numpy as np

from baro.export import onnx_activations
from baro.export.onnx_graph import GraphBuilder, Value, converts, weight
from baro.layers.activations.elu import ELU
from baro.layers.activations.leaky_relu import LeakyReLU
from baro.layers.activations.prelu import PReLU
from baro.layers.activations.relu import ReLU
from baro.layers.activations.softmax import Softmax
from baro.layers.core.activation import Activation
from baro.layers.core.dense import Dense
from baro.layers.core.embedding import Embedding
from baro.layers.core.masking import Masking
from baro.layers.merging.concatenate import Concatenate
from baro.layers.merging.elementwise import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from baro.layers.normalization.batch_normalization import BatchNormalization
from baro.layers.normalization.layer_normalization import LayerNormalization
from baro.layers.regularization.activity_regularization import (
    ActivityRegularization,
)
from baro.layers.regularization.dropout import Dropout
from baro.layers.regularization.gaussian_dropout import GaussianDropout
from baro.layers.regularization.gaussian_noise import GaussianNoise
from baro.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
)


def _describe(layer) -> str:
    return f"{type(layer).__name__} {layer.name!r}"


def scalar(g: GraphBuilder, x: Value, value, hint: str = "const") -> Value:
    """A 0-d initializer in `x`'s dtype (broadcasts against anything)."""
    return g.constant(np.asarray(value, dtype=x.dtype), hint)


# -- core ------------------------------------------------------------------------
@converts(Dense)
def dense(g: GraphBuilder, layer, x: Value) -> Value:
    """x @ kernel + bias, then the activation (MatMul broadcasts over any leading
    axes, as Dense does on rank > 2 inputs)."""
    x = g.floating(x, layer.dtype)
    y = g.op("MatMul", [x, g.constant(weight(layer.kernel), f"{layer.name}/kernel")],
             name=f"{layer.name}/matmul")
    if layer.bias is not None:
        y = g.op("Add", [y, g.constant(weight(layer.bias), f"{layer.name}/bias")],
                 name=f"{layer.name}/bias_add")
    return onnx_activations.apply(g, layer.activation, y, f"{layer.name}/act",
                                  _describe(layer))


@converts(Activation)
def activation(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.floating(x, layer.dtype)
    return onnx_activations.apply(g, layer.activation, x, layer.name,
                                  _describe(layer))


@converts(Dropout, SpatialDropout1D, SpatialDropout2D, GaussianDropout,
          GaussianNoise, ActivityRegularization)
def identity(g: GraphBuilder, layer, x: Value) -> Value:
    """Layers that change nothing at inference."""
    return x


@converts(Embedding)
def embedding(g: GraphBuilder, layer, x: Value) -> Value:
    """Gather rows of the table; float indices are truncated to int32 as baro
    does (ONNX Cast truncates towards zero too)."""
    if np.dtype(x.dtype).kind not in "iu":
        x = g.cast(x, "int32")
    table = g.constant(weight(layer.embeddings), f"{layer.name}/embeddings")
    return g.op("Gather", [table, x], name=layer.name, axis=0)


@converts(Masking)
def masking(g: GraphBuilder, layer, x: Value) -> Value:
    """x * any(x != mask_value, axis=-1): all-padding steps become zeros."""
    differs = g.op("Not", [g.op("Equal", [x, scalar(g, x, layer.mask_value)])],
                   dtype="bool")
    keep = g.reduce("ReduceMax", g.cast(differs, x.dtype), [-1], keepdims=True)
    return g.op("Mul", [x, keep], name=layer.name)


# -- activation layers -----------------------------------------------------------
@converts(ReLU)
def relu(g: GraphBuilder, layer, x: Value) -> Value:
    """Keras's relu with slope, cap and threshold, case by case as baro does."""
    x = g.floating(x, layer.dtype)
    slope, cap, threshold = layer.negative_slope, layer.max_value, layer.threshold
    if slope == 0 and threshold == 0:
        y = g.op("Relu", [x], name=layer.name if cap is None else None)
        if cap is None:
            return y
        return g.op("Clip", [y, scalar(g, x, 0.0), scalar(g, x, cap)],
                    name=layer.name)
    if slope != 0 and cap is None and threshold == 0:
        return g.op("LeakyRelu", [x], name=layer.name, alpha=float(slope))
    if threshold != 0:
        above = g.cast(g.op("Greater", [x, scalar(g, x, threshold)], dtype="bool"),
                       x.dtype)
        y = g.op("Mul", [x, above])
    else:
        y = g.op("Relu", [x])
    if cap is not None:
        y = g.op("Clip", [y, scalar(g, x, 0.0), scalar(g, x, cap)])
    if slope != 0:
        below = g.op("Relu", [g.op("Sub", [scalar(g, x, threshold), x])])
        y = g.op("Sub", [y, g.op("Mul", [below, scalar(g, x, slope)])])
    return g.op("Identity", [y], name=layer.name)


@converts(LeakyReLU)
def leaky_relu(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.floating(x, layer.dtype)
    return g.op("LeakyRelu", [x], name=layer.name, alpha=layer.negative_slope)


@converts(ELU)
def elu(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.floating(x, layer.dtype)
    return g.op("Elu", [x], name=layer.name, alpha=layer.alpha)


@converts(PReLU)
def prelu(g: GraphBuilder, layer, x: Value) -> Value:
    # alpha has the input's shape without the batch axis (1 on shared axes),
    # which PRelu broadcasts against (batch, ...).
    x = g.floating(x, layer.dtype)
    alpha = g.constant(weight(layer.alpha), f"{layer.name}/alpha")
    return g.op("PRelu", [x, alpha], name=layer.name)


@converts(Softmax)
def softmax(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.floating(x, layer.dtype)
    axis = tuple(layer.axis) if isinstance(layer.axis, (list, tuple)) \
        else layer.axis
    return onnx_activations.softmax(g, x, layer.name, axis=axis)


# -- normalization ---------------------------------------------------------------
@converts(BatchNormalization)
def batch_normalization(g: GraphBuilder, layer, x: Value) -> Value:
    """Inference form folded into one multiply-add per feature:
    y = x * gamma / sqrt(var + eps) + (beta - mean * gamma / sqrt(var + eps)),
    computed in float64 and stored in the layer's dtype."""
    x = g.floating(x, layer.dtype)
    mean = weight(layer.moving_mean).astype(np.float64)
    var = weight(layer.moving_variance).astype(np.float64)
    gamma = np.ones_like(mean) if layer.gamma is None \
        else weight(layer.gamma).astype(np.float64)
    beta = np.zeros_like(mean) if layer.beta is None \
        else weight(layer.beta).astype(np.float64)
    scale = gamma / np.sqrt(var + layer.epsilon)
    shift = beta - mean * scale
    # Features on `axis`, broadcast over the trailing axes after it.
    trailing = (1,) * (layer._ndim - 1 - layer._features_axis)
    scale = g.constant(scale.reshape(-1, *trailing), f"{layer.name}/scale",
                       dtype=x.dtype)
    shift = g.constant(shift.reshape(-1, *trailing), f"{layer.name}/shift",
                       dtype=x.dtype)
    return g.op("Add", [g.op("Mul", [x, scale]), shift], name=layer.name)


@converts(LayerNormalization)
def layer_normalization(g: GraphBuilder, layer, x: Value) -> Value:
    """(x - mean) / sqrt(var + eps) * gamma + beta over `axis`; with
    rms_scaling, x / sqrt(var + eps) * gamma (Keras 3 uses the variance there)."""
    x = g.floating(x, layer.dtype)
    rank = len(x.shape)
    axes = layer._axes(rank)
    mean = g.reduce("ReduceMean", x, axes, keepdims=True)
    centered = g.op("Sub", [x, mean])
    var = g.reduce("ReduceMean", g.op("Mul", [centered, centered]), axes,
                   keepdims=True)
    inv = g.op("Reciprocal", [g.op("Sqrt", [
        g.op("Add", [var, scalar(g, x, layer.epsilon)])])])
    y = g.op("Mul", [x if layer.rms_scaling else centered, inv])

    def laid_out(variable, hint):
        # The weight's axes follow `axis` order; move them to the input's.
        order = sorted(range(len(axes)), key=lambda i: axes[i])
        array = np.transpose(weight(variable), order)
        shape = [1] * rank
        for a in sorted(axes):
            shape[a] = x.shape[a]
        return g.constant(array.reshape(shape), f"{layer.name}/{hint}",
                          dtype=x.dtype)

    if layer.gamma is not None:
        y = g.op("Mul", [y, laid_out(layer.gamma, "gamma")])
    if layer.beta is not None:
        y = g.op("Add", [y, laid_out(layer.beta, "beta")])
    return g.op("Identity", [y], name=layer.name)


# -- merging ---------------------------------------------------------------------
def _chain(g: GraphBuilder, op: str, layer, xs: list[Value]) -> Value:
    # Left to right, as baro's Merge.call folds: ((a + b) + c).
    y = xs[0]
    for x in xs[1:]:
        y = g.op(op, [y, x], name=f"{layer.name}/{op.lower()}")
    return y


def _floats(g: GraphBuilder, layer, xs) -> list[Value]:
    dtypes = {x.dtype for x in xs}
    if len(dtypes) == 1:
        return list(xs)
    target = np.result_type(*dtypes).name
    return [g.cast(x, target) for x in xs]


_MERGE_OPS = {Add: "Add", Subtract: "Sub", Multiply: "Mul", Maximum: "Max",
              Minimum: "Min"}


@converts(*_MERGE_OPS)
def merge(g: GraphBuilder, layer, xs: list[Value]) -> Value:
    y = _chain(g, _MERGE_OPS[type(layer)], layer, _floats(g, layer, xs))
    return g.op("Identity", [y], name=layer.name)


@converts(Average)
def average(g: GraphBuilder, layer, xs: list[Value]) -> Value:
    y = _chain(g, "Add", layer, _floats(g, layer, xs))
    return g.op("Div", [y, scalar(g, y, len(xs))], name=layer.name)


@converts(Concatenate)
def concatenate(g: GraphBuilder, layer, xs: list[Value]) -> Value:
    return g.op("Concat", _floats(g, layer, xs), name=layer.name,
                axis=int(layer.axis))
