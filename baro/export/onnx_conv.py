"""ONNX converters for convolutions and pooling.

ONNX's Conv and pooling ops are channels_first, baro's layers channels_last by
default: the input is transposed to NC... before the op and back after it. The
graph builder later cancels a transpose back followed by a transpose forth, so a
stack of convolutions and poolings stays NCHW in between. TF's "same" padding
(the odd pixel at the end) becomes explicit pads when the spatial sizes are
known, and SAME_UPPER (the same rule) when they are not.
"""

from __future__ import annotations

import numpy as np

from baro.export import onnx_activations
from baro.export.onnx_graph import GraphBuilder, Value, converts, weight
from baro.layers.convolutional.conv1d import Conv1D
from baro.layers.convolutional.conv2d import Conv2D
from baro.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from baro.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from baro.layers.convolutional.separable_conv1d import SeparableConv1D
from baro.layers.convolutional.separable_conv2d import SeparableConv2D
from baro.layers.pooling.average_pooling1d import AveragePooling1D
from baro.layers.pooling.average_pooling2d import AveragePooling2D
from baro.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from baro.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from baro.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from baro.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from baro.layers.pooling.max_pooling1d import MaxPooling1D
from baro.layers.pooling.max_pooling2d import MaxPooling2D
from baro.ops.window import make_geometry


def _describe(layer) -> str:
    return f"{type(layer).__name__} {layer.name!r}"


def _channels_first(g: GraphBuilder, layer, x: Value) -> Value:
    if layer.data_format == "channels_first":
        return x
    rank = len(x.shape)
    return g.transpose(x, (0, rank - 1) + tuple(range(1, rank - 1)))


def _channels_last(g: GraphBuilder, layer, y: Value, rank: int) -> Value:
    if layer.data_format == "channels_first":
        return y
    return g.transpose(y, (0,) + tuple(range(2, rank)) + (1,))


def _spatial(layer, x: Value) -> tuple:
    return tuple(x.shape[2:] if layer.data_format == "channels_first"
                 else x.shape[1:-1])


def _pads(layer, x: Value, kernel, strides, dilation, padding: str) -> dict:
    """The padding attributes: explicit [begins..., ends...] or SAME_UPPER."""
    rank = len(kernel)
    if padding == "valid":
        return {"pads": [0] * (2 * rank)}
    if padding == "causal":
        # Left padding only, so output[t] sees inputs[: t + 1].
        return {"pads": [dilation[0] * (kernel[0] - 1), 0]}
    sizes = _spatial(layer, x)
    if any(s is None for s in sizes):
        return {"auto_pad": "SAME_UPPER"}
    pairs = make_geometry(sizes, kernel, strides, dilation, "same").pads
    pairs = pairs[-rank:]  # a 1-D geometry carries a leading height of 1
    return {"pads": [p[0] for p in pairs] + [p[1] for p in pairs]}


def _conv_node(g: GraphBuilder, layer, x: Value, kernel: np.ndarray, bias,
               group: int, strides, dilation, padding: str, hint: str) -> Value:
    """ONNX Conv on a channels_first Value; `kernel` is already (out, in / group,
    spatial...)."""
    inputs = [x, g.constant(kernel, f"{hint}/kernel", dtype=x.dtype)]
    if bias is not None:
        inputs.append(g.constant(bias, f"{hint}/bias", dtype=x.dtype))
    return g.op("Conv", inputs, name=hint, kernel_shape=list(kernel.shape[2:]),
                strides=list(strides), dilations=list(dilation), group=group,
                **padding)


def _finish(g: GraphBuilder, layer, y: Value, rank: int) -> Value:
    """Activation, then back to the layer's layout; elementwise activations run
    before the transpose so it can cancel against the next layer's."""
    act = layer.activation
    if onnx_activations.is_elementwise(act):
        y = onnx_activations.apply(g, act, y, f"{layer.name}/act", _describe(layer))
        return _channels_last(g, layer, y, rank)
    y = _channels_last(g, layer, y, rank)
    return onnx_activations.apply(g, act, y, f"{layer.name}/act", _describe(layer))


def _spatial_first(kernel: np.ndarray) -> np.ndarray:
    """Keras (spatial..., in, out) -> ONNX (out, in, spatial...)."""
    rank = kernel.ndim - 2
    return np.transpose(kernel, (rank + 1, rank) + tuple(range(rank)))


def _depthwise_kernel(kernel: np.ndarray) -> np.ndarray:
    """(spatial..., C, M) -> (C * M, 1, spatial...): output channel c * M + m is
    channel c's m-th filter, Keras's order, as one Conv with group=C."""
    spatial, (c, m) = kernel.shape[:-2], kernel.shape[-2:]
    return _spatial_first(kernel.reshape(spatial + (1, c * m)))


@converts(Conv1D, Conv2D)
def conv(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.floating(x, layer.dtype)
    pads = _pads(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate,
                 layer.padding)
    bias = None if layer.bias is None else weight(layer.bias)
    y = _conv_node(g, layer, _channels_first(g, layer, x),
                   _spatial_first(weight(layer.kernel)), bias, layer.groups,
                   layer.strides, layer.dilation_rate, pads, layer.name)
    return _finish(g, layer, y, len(x.shape))


@converts(DepthwiseConv1D, DepthwiseConv2D)
def depthwise_conv(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.floating(x, layer.dtype)
    kernel = weight(layer.kernel)
    pads = _pads(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate,
                 layer.padding)
    bias = None if layer.bias is None else weight(layer.bias)
    y = _conv_node(g, layer, _channels_first(g, layer, x),
                   _depthwise_kernel(kernel), bias, kernel.shape[-2],
                   layer.strides, layer.dilation_rate, pads, layer.name)
    return _finish(g, layer, y, len(x.shape))


@converts(SeparableConv1D, SeparableConv2D)
def separable_conv(g: GraphBuilder, layer, x: Value) -> Value:
    """A depthwise Conv (group=C, no bias), then a 1x1 pointwise Conv."""
    x = g.floating(x, layer.dtype)
    depthwise = weight(layer.depthwise_kernel)
    pads = _pads(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate,
                 layer.padding)
    z = _conv_node(g, layer, _channels_first(g, layer, x),
                   _depthwise_kernel(depthwise), None, depthwise.shape[-2],
                   layer.strides, layer.dilation_rate, pads,
                   f"{layer.name}/depthwise")
    ones = (1,) * layer.rank
    bias = None if layer.bias is None else weight(layer.bias)
    y = _conv_node(g, layer, z, _spatial_first(weight(layer.pointwise_kernel)),
                   bias, 1, ones, ones, {"pads": [0] * (2 * layer.rank)},
                   f"{layer.name}/pointwise")
    return _finish(g, layer, y, len(x.shape))


@converts(MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D)
def pooling(g: GraphBuilder, layer, x: Value) -> Value:
    """MaxPool / AveragePool; padded cells count for neither, as in TF, hence
    count_include_pad=0 for the average."""
    average = layer.pool_mode == "average"
    if average:
        x = g.floating(x, layer.dtype)
    ones = (1,) * len(layer.pool_size)
    pads = _pads(layer, x, layer.pool_size, layer.strides, ones, layer.padding)
    attrs = {"count_include_pad": 0} if average else {}
    y = g.op("AveragePool" if average else "MaxPool",
             [_channels_first(g, layer, x)], name=layer.name,
             kernel_shape=list(layer.pool_size), strides=list(layer.strides),
             **pads, **attrs)
    return _channels_last(g, layer, y, len(x.shape))


@converts(GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
          GlobalMaxPooling2D)
def global_pooling(g: GraphBuilder, layer, x: Value) -> Value:
    start = 2 if layer.data_format == "channels_first" else 1
    axes = list(range(start, start + layer.pool_dimensions))
    if layer.pool_mode == "average":
        x = g.floating(x, layer.dtype)
    op = "ReduceMean" if layer.pool_mode == "average" else "ReduceMax"
    return g.reduce(op, x, axes, keepdims=layer.keepdims, name=layer.name)
