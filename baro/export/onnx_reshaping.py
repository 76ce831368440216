"""ONNX converters for the reshaping layers, Rescaling and the operators written
on symbolic tensors (`x + y`, `x[:, 0]`) in functional models.

Every tensor keeps its Keras layout (channels_last by default) between layers, so
Flatten and Reshape act on the same memory order as in baro. The batch axis stays
dynamic: reshapes copy it with a 0 in the target shape.
"""

from __future__ import annotations

import numpy as np

from baro.export.onnx_graph import (
    INT64_MAX,
    INT64_MIN,
    GraphBuilder,
    Value,
    converts,
)
from baro.layers.core.operator_layer import OperatorLayer
from baro.layers.preprocessing.rescaling import Rescaling
from baro.layers.reshaping.cropping1d import Cropping1D
from baro.layers.reshaping.cropping2d import Cropping2D
from baro.layers.reshaping.flatten import Flatten
from baro.layers.reshaping.permute import Permute
from baro.layers.reshaping.repeat_vector import RepeatVector
from baro.layers.reshaping.reshape import Reshape
from baro.layers.reshaping.up_sampling1d import UpSampling1D
from baro.layers.reshaping.up_sampling2d import UpSampling2D
from baro.layers.reshaping.zero_padding1d import ZeroPadding1D
from baro.layers.reshaping.zero_padding2d import ZeroPadding2D


@converts(Flatten)
def flatten(g: GraphBuilder, layer, x: Value) -> Value:
    """(batch, ...) -> (batch, -1) in channels_last order, as Keras flattens; a
    channels_first layer moves the channels last first."""
    rank = len(x.shape)
    if layer.data_format == "channels_first" and rank > 2:
        x = g.transpose(x, (0,) + tuple(range(2, rank)) + (1,))
    return g.op("Flatten", [x], name=layer.name, axis=1)


@converts(Reshape)
def reshape(g: GraphBuilder, layer, x: Value) -> Value:
    return g.op("Reshape", [x, g.ints((0,) + layer.target_shape, "shape")],
                name=layer.name)


@converts(Permute)
def permute(g: GraphBuilder, layer, x: Value) -> Value:
    return g.transpose(x, (0,) + tuple(layer.dims), name=layer.name)


@converts(RepeatVector)
def repeat_vector(g: GraphBuilder, layer, x: Value) -> Value:
    """(batch, features) -> (batch, n, features): Unsqueeze, then Expand
    broadcasts the new axis to n."""
    y = g.op("Unsqueeze", [x, g.ints([1], "axes")])
    return g.op("Expand", [y, g.ints([1, layer.n, 1], "shape")], name=layer.name)


def _pad(g: GraphBuilder, x: Value, axes, pairs, name: str) -> Value:
    rank = len(x.shape)
    begins, ends = [0] * rank, [0] * rank
    for axis, (before, after) in zip(axes, pairs, strict=True):
        begins[axis], ends[axis] = before, after
    return g.op("Pad", [x, g.ints(begins + ends, "pads")], name=name,
                mode="constant")


@converts(ZeroPadding1D)
def zero_padding1d(g: GraphBuilder, layer, x: Value) -> Value:
    return _pad(g, x, [layer._axis()], [layer.padding], layer.name)


@converts(ZeroPadding2D)
def zero_padding2d(g: GraphBuilder, layer, x: Value) -> Value:
    return _pad(g, x, layer._axes(), layer.padding, layer.name)


def _crop(g: GraphBuilder, x: Value, axes, pairs, name: str) -> Value:
    # An end of 0 means "to the end"; -end counts from it, so no size is needed.
    starts = [start for start, _ in pairs]
    ends = [-end if end else INT64_MAX for _, end in pairs]
    return g.op("Slice", [x, g.ints(starts, "starts"), g.ints(ends, "ends"),
                          g.ints(axes, "axes")], name=name)


@converts(Cropping1D)
def cropping1d(g: GraphBuilder, layer, x: Value) -> Value:
    return _crop(g, x, [1], [layer.cropping], layer.name)


@converts(Cropping2D)
def cropping2d(g: GraphBuilder, layer, x: Value) -> Value:
    return _crop(g, x, layer._axes(), layer.cropping, layer.name)


def _upsample(g: GraphBuilder, x: Value, factors: dict[int, int], mode: str,
              name: str) -> Value:
    """Resize by integer factors. "nearest" with asymmetric coordinates and
    floor rounding repeats each element exactly; "linear" with half-pixel
    coordinates matches baro's bilinear upsampling (edges clamped)."""
    scales = [float(factors.get(axis, 1)) for axis in range(len(x.shape))]
    attrs = {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
             "nearest_mode": "floor"} if mode == "nearest" else \
        {"mode": "linear", "coordinate_transformation_mode": "half_pixel"}
    return g.op("Resize", [x, None, g.constant(np.asarray(scales, np.float32),
                                               "scales")], name=name, **attrs)


@converts(UpSampling1D)
def up_sampling1d(g: GraphBuilder, layer, x: Value) -> Value:
    return _upsample(g, x, {1: layer.size}, "nearest", layer.name)


@converts(UpSampling2D)
def up_sampling2d(g: GraphBuilder, layer, x: Value) -> Value:
    factors = dict(zip(layer._spatial_axes(), layer.size, strict=True))
    return _upsample(g, x, factors, layer.interpolation, layer.name)


@converts(Rescaling)
def rescaling(g: GraphBuilder, layer, x: Value) -> Value:
    x = g.cast(x, layer.dtype)
    scale = g.constant(np.asarray(layer.scale, dtype=layer.dtype),
                       f"{layer.name}/scale")
    offset = g.constant(np.asarray(layer.offset, dtype=layer.dtype),
                        f"{layer.name}/offset")
    return g.op("Add", [g.op("Mul", [x, scale]), offset], name=layer.name)


# -- operators on symbolic tensors -------------------------------------------------
_BINARY = {"add": "Add", "subtract": "Sub", "multiply": "Mul", "divide": "Div",
           "power": "Pow", "matmul": "MatMul"}


@converts(OperatorLayer)
def operator(g: GraphBuilder, layer, inputs) -> Value:
    if layer.op == "getitem":
        return _getitem(g, layer, inputs)
    if layer.op == "negative":
        return g.op("Neg", [inputs], name=layer.name)
    if isinstance(inputs, (list, tuple)):
        a, b = inputs
        dtype = np.result_type(a.dtype, b.dtype).name
        a, b = g.cast(a, dtype), g.cast(b, dtype)
    else:
        a = inputs
        constant = np.asarray(layer.constant)
        # A Python number is weakly typed (float32 * 2.0 stays float32).
        dtype = a.dtype if np.dtype(a.dtype).kind == "f" or \
            constant.dtype.kind in "iub" else np.result_type(a.dtype, constant)
        a = g.cast(a, dtype)
        b = g.constant(constant.astype(dtype), f"{layer.name}/constant")
        if layer.reverse:
            a, b = b, a
    if layer.op == "divide" and np.dtype(a.dtype).kind != "f":
        # True division of integers gives floats, as in NumPy.
        a, b = g.cast(a, "float32"), g.cast(b, "float32")
    return g.op(_BINARY[layer.op], [a, b], name=layer.name)


def _getitem(g: GraphBuilder, layer, x: Value) -> Value:
    """Basic indexing: ints (Gather drops the axis), slices, None and `...`;
    the batch axis must be left whole."""
    key = layer.constant if isinstance(layer.constant, tuple) else (layer.constant,)
    rank = len(x.shape)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if any(not isinstance(k, (int, slice, type(None), type(Ellipsis)))
           or isinstance(k, bool) for k in key) or used > rank:
        raise ValueError(
            f"ONNX export: OperatorLayer {layer.name!r} indexes with {key!r}; only "
            "ints, slices, None and ... on a tensor of rank "
            f"{rank} are exported.")
    axis, y = 0, x
    for k in key:
        if k is Ellipsis:
            axis += rank - used
            continue
        if axis == 0 and k != slice(None):
            raise ValueError(
                f"ONNX export: OperatorLayer {layer.name!r} indexes the batch axis "
                f"with {k!r}; the exported model keeps the batch axis whole.")
        if k is None:
            y = g.op("Unsqueeze", [y, g.ints([axis], "axes")])
            axis += 1
        elif isinstance(k, int):
            y = g.op("Gather", [y, g.constant(np.int64(k), "index")], axis=axis)
        elif k != slice(None):
            step = 1 if k.step is None else int(k.step)
            start = k.start if k.start is not None else (0 if step > 0 else -1)
            stop = k.stop if k.stop is not None else \
                (INT64_MAX if step > 0 else INT64_MIN)
            y = g.op("Slice", [y, g.ints([start], "starts"), g.ints([stop], "ends"),
                               g.ints([axis], "axes"), g.ints([step], "steps")])
            axis += 1
        else:
            axis += 1
    return g.op("Identity", [y], name=layer.name)
