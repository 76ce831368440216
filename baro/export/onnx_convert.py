"""Walks a Sequential or Functional model's recorded graph and writes ONNX.

Both model kinds keep the layer calls made on symbolic tensors (`Node`s); the
walker replays them in topological order, handing each layer's converter the
ONNX Values of its inputs, the way `Functional.call` hands it real tensors.
Nested models (a Sequential used as a layer) are walked in place. Each output
Value takes the shape of the symbolic tensor it stands for, with the batch axis
left dynamic.
"""

from __future__ import annotations

import dataclasses
import inspect
import os

import numpy as np

from baro.export import (  # noqa: F401  (importing registers the converters)
    onnx_conv,
    onnx_layers,
    onnx_reshaping,
    onnx_rnn,
)
from baro.export.onnx_graph import (
    CONVERTERS,
    MIN_OPSET,
    GraphBuilder,
    Value,
    converts,
    require_onnx,
)
from baro.layers import call_context
from baro.layers.core.embedding import Embedding
from baro.layers.core.input_layer import InputLayer
from baro.layers.core.masking import Masking
from baro.layers.layer import Layer
from baro.layers.rnn.time_distributed import TimeDistributed
from baro.layers.symbolic import SymbolicTensor, flatten
from baro.models.functional import Functional, _topological_nodes
from baro.models.sequential import Sequential
from baro.saving.safetensors import atomic_write

# A protobuf message cannot exceed 2 GiB; bigger models need external data.
_PROTOBUF_LIMIT = 2**31 - 1


def supported_layers() -> list[str]:
    """Names of the layer classes the ONNX exporter converts."""
    return sorted({cls.__name__ for cls in CONVERTERS} | {"InputLayer",
                                                          "Sequential",
                                                          "Functional"})


def _graph_of(model):
    """(input tensors, nodes in topological order, output tensors)."""
    if isinstance(model, Functional):
        return list(model.inputs), list(model._nodes), list(model.outputs)
    if isinstance(model, Sequential):
        if not model.built or model._input_layer is None:
            raise ValueError(
                f"ONNX export: Sequential model {model.name!r} is not built, "
                "so its input shape is unknown. Start it with keras.Input(shape="
                "...), pass input_shape= to its first layer, or call it on data "
                "first.")
        outputs = list(model.outputs)
        return list(model.inputs), _topological_nodes(outputs), outputs
    raise ValueError(
        f"ONNX export: {type(model).__name__} {model.name!r} is a subclassed "
        "model; only Sequential and Functional models record the graph the "
        "exporter walks. Rebuild it with keras.Input and layer calls.")


def _batchless(shape) -> tuple:
    return (None,) + tuple(shape[1:]) if shape else tuple(shape)


def convert_graph(g: GraphBuilder, model, inputs: list[Value]) -> list[Value]:
    """Converts `model`'s graph applied to `inputs`; returns its output Values."""
    in_tensors, nodes, out_tensors = _graph_of(model)
    values = {id(t): v for t, v in zip(in_tensors, inputs, strict=True)}
    for node in nodes:
        if isinstance(node.layer, InputLayer):
            continue
        args = [_substitute(a, values) for a in node.args]
        kwargs = {k: _substitute(v, values) for k, v in node.kwargs.items()}
        result = convert_layer(g, node.layer, args, kwargs)
        for t, value in zip(flatten(node.outputs), flatten(result), strict=True):
            values[id(t)] = dataclasses.replace(value, shape=_batchless(t.shape))
    return [values[id(t)] for t in out_tensors]


def _substitute(value, values: dict):
    if isinstance(value, SymbolicTensor):
        return values[id(value)]
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(v, values) for v in value)
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    return value


def convert_layer(g: GraphBuilder, layer, args: list, kwargs: dict):
    """One layer call: checks, autocast, the converter, then mask bookkeeping."""
    where = f"{type(layer).__name__} {layer.name!r}"
    kwargs = dict(kwargs)
    accepted = call_context.accepted_kwargs(type(layer))
    if kwargs.pop("training", None) is True and "training" in accepted:
        # A call pinned to training mode (Monte Carlo dropout) draws random
        # numbers at inference; the exported graph is deterministic.
        raise ValueError(f"ONNX export: {where} is called with training=True; "
                         "the export is the inference graph.")
    if kwargs.get("mask") is not None:
        raise ValueError(f"ONNX export: {where} is called with an explicit mask=; "
                         "masks are not exported.")
    kwargs.pop("mask", None)
    inputs = args[0]
    leaves = [v for v in flatten(inputs) if isinstance(v, Value)]
    if isinstance(layer, (Sequential, Functional)):
        if len(args) > 1 or kwargs:
            raise ValueError(f"ONNX export: nested model {where} is called with "
                             "extra arguments, which the exporter cannot follow.")
        feed = [inputs] if isinstance(layer, Sequential) else layer._feed(inputs)
        return convert_graph(g, layer, feed)
    converter = CONVERTERS.get(type(layer))
    if converter is None:
        raise ValueError(
            f"ONNX export: {where} has no ONNX converter. Supported layers: "
            f"{', '.join(supported_layers())}.")
    if len(args) > 1:
        raise ValueError(f"ONNX export: {where} is called with {len(args)} "
                         "positional arguments; only the inputs are exported.")
    masked = any(v.masked for v in leaves)
    if masked and "mask" in accepted:
        raise ValueError(
            f"ONNX export: {where} receives a mask (from Embedding(mask_zero=True) "
            "or Masking upstream) and would skip the masked steps; masked "
            "computation is not exported. Export a model without masking, e.g. "
            "with mask_zero=False.")
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    unknown = set(kwargs) - _call_arguments(converter)
    if unknown:
        raise ValueError(
            f"ONNX export: {where} is called with {sorted(unknown)}, which the "
            "exporter does not follow; call it on its inputs alone.")
    if layer.autocast:
        inputs = _autocast(g, inputs, layer.dtype)
    result = converter(g, layer, inputs, **kwargs)
    out_masked = _output_masked(layer, masked)
    return [dataclasses.replace(v, masked=out_masked) for v in flatten(result)]


@converts(TimeDistributed)
def time_distributed(g: GraphBuilder, layer, x: Value) -> Value:
    """Folds the time axis into the batch, converts the wrapped layer on
    (batch * steps, ...), and unfolds its output (as TimeDistributed.call)."""
    step_shape = (None,) + tuple(x.shape[2:])
    out_shape = layer.layer.compute_output_shape(step_shape)
    if any(s is None for s in tuple(x.shape[1:]) + tuple(out_shape[1:])):
        raise ValueError(
            f"ONNX export: TimeDistributed {layer.name!r} needs known sizes on "
            f"every axis but the batch; received input shape {x.shape} and step "
            f"output shape {tuple(out_shape)}.")
    flat = g.op("Reshape", [x, g.ints((-1,) + step_shape[1:], "shape")],
                shape=step_shape)
    (y,) = convert_layer(g, layer.layer, [flat], {})
    return g.op("Reshape", [y, g.ints((-1, x.shape[1]) + tuple(out_shape[1:]),
                                      "shape")], name=layer.name)


def _call_arguments(converter) -> set[str]:
    """The call keyword arguments a converter takes (after g, layer, inputs)."""
    return set(list(inspect.signature(converter).parameters)[3:])


def _autocast(g: GraphBuilder, inputs, dtype: str):
    """Float inputs of another precision are cast to the layer's, as baro does."""
    if isinstance(inputs, Value):
        kind = np.dtype(inputs.dtype).kind
        return g.cast(inputs, dtype) if kind == "f" and inputs.dtype != dtype \
            else inputs
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_autocast(g, v, dtype) for v in inputs)
    if isinstance(inputs, dict):
        return {k: _autocast(g, v, dtype) for k, v in inputs.items()}
    return inputs


def _output_masked(layer, masked: bool) -> bool:
    """Whether Keras would attach a mask to the layer's outputs."""
    if isinstance(layer, Embedding):
        return layer.mask_zero
    if isinstance(layer, Masking):
        return True
    if type(layer).compute_mask is not Layer.compute_mask:
        return False
    return masked and layer.supports_masking


def _output_names(model) -> list[str]:
    if isinstance(model, Functional):
        return list(model.output_names)
    return [model.layers[-1].name]


def build_onnx_model(model, opset: int = 17):
    """Converts a Sequential or Functional model to an `onnx.ModelProto`.

    The graph takes the model's inputs (named after its Input layers) with a
    dynamic batch axis and returns its outputs (named after the output layers),
    computing what `model.predict` computes.

    Args:
        model: A built Sequential or Functional model.
        opset: The ONNX opset (default 17; at least 13).

    Returns:
        The checked `onnx.ModelProto`.

    Raises:
        ImportError: If `onnx` is not installed.
        ValueError: For a subclassed or unbuilt model, an unsupported layer or
            activation (naming it and listing what is supported), masking, or an
            opset out of range.
    """
    onnx = require_onnx()
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or \
            not MIN_OPSET <= opset <= newest:
        raise ValueError(f"ONNX export: opset must be an int from {MIN_OPSET} to "
                         f"{newest} (the installed onnx), received {opset!r}.")
    in_tensors, _, _ = _graph_of(model)
    g = GraphBuilder(int(opset), name=model.name)
    inputs = [g.add_input(t.name or "input", _batchless(t.shape), t.dtype)
              for t in in_tensors]
    names = g.reserve(_output_names(model))
    outputs = convert_graph(g, model, inputs)
    for value, name in zip(outputs, names, strict=True):
        g.add_output(value, name)
    import baro

    proto = g.build(producer_version=baro.__version__)
    if proto.ByteSize() > _PROTOBUF_LIMIT:
        raise ValueError(
            f"ONNX export: model {model.name!r} needs {proto.ByteSize()} bytes, "
            "more than the 2 GiB a single ONNX protobuf file can hold.")
    onnx.checker.check_model(proto)
    return proto


def export_onnx(model, path, opset: int = 17):
    """Writes `model` to `path` as ONNX, atomically (a temp file beside it, then
    a rename), so an interrupted write leaves any previous file intact.

    Returns:
        The written `onnx.ModelProto`.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"ONNX export: {path!r} is a directory; pass a file path "
                         "such as 'model.onnx'.")
    proto = build_onnx_model(model, opset)
    atomic_write(path, proto.SerializeToString())
    return proto
