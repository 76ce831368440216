"""A small ONNX graph builder: values, nodes, initializers, then one ModelProto.

Converters add nodes through `GraphBuilder.op` and weights through
`GraphBuilder.constant`; nothing touches the `onnx` package until `build`, so the
graph is plain Python data while it grows. Before it becomes a ModelProto two
clean-ups run: pairs of Transposes that undo each other are bypassed (the
channels_last <-> channels_first transposes around consecutive convolutions and
poolings cancel, so the data stays NCHW between them), and nodes and initializers
nobody reads are dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable

import numpy as np

# Opset 13 made Softmax act on one axis and moved Squeeze/Unsqueeze/ReduceSum
# axes to inputs; below it the converters would need a second code path.
MIN_OPSET = 13
INSTALL_HINT = "pip install 'baro[onnx]'"
# TensorProto.DataType numbers (fixed by the ONNX protobuf), so Cast nodes can be
# written before `onnx` is imported.
_ONNX_DTYPES = {"float32": 1, "uint8": 2, "int8": 3, "uint16": 4, "int16": 5,
                "int32": 6, "int64": 7, "bool": 9, "float16": 10, "float64": 11,
                "uint32": 12, "uint64": 13}
INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min

# Layer class -> converter(g, layer, inputs, **call_kwargs) -> Value or list.
CONVERTERS: dict[type, Callable] = {}


def converts(*classes: type) -> Callable:
    """Registers the decorated function as the converter of `classes` (exact
    types: a subclass may compute something else, so it is refused by name)."""
    def register(fn: Callable) -> Callable:
        for cls in classes:
            CONVERTERS[cls] = fn
        return fn
    return register


def weight(variable) -> np.ndarray:
    """A layer variable's current value as a NumPy array."""
    return np.asarray(variable.numpy())


def require_onnx():
    """Imports `onnx`, or raises an ImportError that says how to install it."""
    try:
        import onnx
    except ImportError as err:
        raise ImportError(
            f"ONNX export needs the `onnx` package: {INSTALL_HINT}") from err
    return onnx


@dataclasses.dataclass
class Value:
    """One tensor of the graph being built.

    Attributes:
        name: The ONNX tensor name.
        shape: Keras-layout shape, None for unknown sizes (the batch axis first);
            None when a converter's intermediate does not track it.
        dtype: NumPy dtype name ("float32", "int64", ...).
        masked: True when Keras would attach a mask to this tensor (after
            `Embedding(mask_zero=True)` or `Masking`).
    """

    name: str
    shape: tuple | None
    dtype: str
    masked: bool = False


@dataclasses.dataclass
class _Node:
    op_type: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict
    name: str


class GraphBuilder:
    """Collects the nodes, weights, inputs and outputs of one ONNX graph.

    Args:
        opset: The default-domain opset the converters write for.
        name: The graph's name.

    Example:
        >>> import numpy as np
        >>> g = GraphBuilder(opset=17)
        >>> x = g.add_input("x", (None, 3), "float32")
        >>> y = g.op("Add", [x, g.constant(np.ones(3, "float32"), "one")])
        >>> y.name, len(g.nodes)
        ('Add', 1)
    """

    def __init__(self, opset: int, name: str = "baro") -> None:
        self.opset = int(opset)
        self.name = name
        self.nodes: list[_Node] = []
        self.initializers: dict[str, np.ndarray] = {}
        self.inputs: list[Value] = []
        self.outputs: list[Value] = []
        self._used: set[str] = set()
        self._by_content: dict[tuple, str] = {}
        self._next: dict[str, int] = {}

    # -- names ---------------------------------------------------------------------
    def unique(self, hint: str) -> str:
        """A tensor/node name not used yet, made from `hint`."""
        base = re.sub(r"[^A-Za-z0-9_./:-]", "_", hint) or "t"
        name, i = base, self._next.get(base, 1)
        while name in self._used:
            name = f"{base}_{i}"
            i += 1
        # Counting on from the last suffix keeps a thousand "axes" linear.
        self._next[base] = i
        self._used.add(name)
        return name

    # -- building ------------------------------------------------------------------
    def add_input(self, name: str, shape, dtype: str) -> Value:
        """Declares a graph input; its first axis is the dynamic batch axis."""
        value = Value(self.unique(name), tuple(shape), np.dtype(dtype).name)
        self.inputs.append(value)
        return value

    def reserve(self, names: list[str]) -> list[str]:
        """Claims names (made unique) before any node can take them: the graph
        outputs' names must be exactly the model's output names."""
        return [self.unique(name) for name in names]

    def add_output(self, value: Value, name: str) -> Value:
        """Exposes `value` as a graph output named `name` (from `reserve`)."""
        self.nodes.append(_Node("Identity", [value.name], [name], {},
                                self.unique(f"{name}/Identity")))
        out = Value(name, value.shape, value.dtype)
        self.outputs.append(out)
        return out

    def constant(self, array, hint: str = "const", dtype=None) -> Value:
        """Stores `array` as an initializer (cast to `dtype` when given).

        Identical arrays share one initializer, so a layer called twice (a
        shared layer) stores its weights once.
        """
        # ascontiguousarray turns 0-d into (1,): keep scalars scalar (Clip's
        # bounds and Gather's index must be).
        array = np.asarray(array, dtype=dtype)
        array = np.ascontiguousarray(array).reshape(array.shape)
        key = (array.dtype.str, array.shape,
               hashlib.sha256(array.tobytes()).hexdigest())
        name = self._by_content.get(key)
        if name is None:
            name = self._by_content[key] = self.unique(hint)
            self.initializers[name] = array
        return Value(name, array.shape, array.dtype.name)

    def ints(self, values, hint: str = "ints") -> Value:
        """An int64 1-D initializer (shapes, axes, pads, slice bounds)."""
        return self.constant(np.asarray(values, dtype=np.int64).reshape(-1), hint)

    def op(self, op_type: str, inputs, *, name: str | None = None,
           outputs: int = 1, dtype: str | None = None, shape=None, **attrs):
        """Adds one node and returns its output Value (a list if `outputs` > 1).

        Args:
            op_type: The ONNX operator ("MatMul", "Conv", ...).
            inputs: Values or None (an omitted optional input).
            name: Hint for the output name (default: the op type).
            outputs: How many outputs the node has.
            dtype: The outputs' dtype (default: the first input's).
            shape: The (first) output's Keras-layout shape, if known.
            **attrs: The node's attributes; None values are left out.
        """
        hint = name or op_type
        names = [self.unique(hint if i == 0 else f"{hint}:{i}")
                 for i in range(outputs)]
        present = [v for v in inputs if v is not None]
        out_dtype = dtype or (present[0].dtype if present else "float32")
        self.nodes.append(_Node(
            op_type, ["" if v is None else v.name for v in inputs], names,
            {k: v for k, v in attrs.items() if v is not None},
            self.unique(f"{hint}/{op_type}")))
        values = [Value(n, shape if i == 0 else None, out_dtype)
                  for i, n in enumerate(names)]
        return values[0] if outputs == 1 else values

    def cast(self, value: Value, dtype: str) -> Value:
        """`value` as `dtype` (no node when it already is)."""
        dtype = np.dtype(dtype).name
        if value.dtype == dtype:
            return value
        if dtype not in _ONNX_DTYPES:
            raise TypeError(f"ONNX export: cannot cast to dtype {dtype}.")
        return self.op("Cast", [value], name="cast", dtype=dtype,
                       shape=value.shape, to=_ONNX_DTYPES[dtype])

    def floating(self, value: Value, dtype: str) -> Value:
        """Integer or bool inputs of a layer that computes in floats, cast to
        the layer's dtype (as NumPy promotion does in baro)."""
        if np.dtype(value.dtype).kind == "f":
            return value
        return self.cast(value, dtype)

    def transpose(self, value: Value, perm, name: str | None = None) -> Value:
        """Transpose with `perm`; the shape follows when known."""
        shape = None if value.shape is None else tuple(value.shape[p] for p in perm)
        return self.op("Transpose", [value], name=name or "transpose",
                       perm=list(perm), shape=shape)

    def reduce(self, op_type: str, value: Value, axes, keepdims: bool,
               name: str | None = None) -> Value:
        """ReduceMean/Max/Min/Sum over `axes`, as an attribute or an input by
        opset (ReduceSum moved axes to an input in 13, the others in 18)."""
        axes = [int(a) for a in axes]
        as_input = op_type == "ReduceSum" or self.opset >= 18
        if as_input:
            return self.op(op_type, [value, self.ints(axes, "axes")], name=name,
                           keepdims=int(keepdims))
        return self.op(op_type, [value], name=name, axes=axes,
                       keepdims=int(keepdims))

    # -- finishing -----------------------------------------------------------------
    def build(self, producer_version: str = ""):
        """The finished `onnx.ModelProto` (after the clean-up passes)."""
        require_onnx()
        from onnx import helper, numpy_helper

        _cancel_transposes(self.nodes)
        _drop_dead(self.nodes, self.initializers, {v.name for v in self.outputs})
        nodes = [helper.make_node(n.op_type, n.inputs, n.outputs, name=n.name,
                                  **n.attrs) for n in self.nodes]
        graph = helper.make_graph(
            nodes, self.name,
            [_value_info(helper, v) for v in self.inputs],
            [_value_info(helper, v) for v in self.outputs],
            initializer=[numpy_helper.from_array(a, name)
                         for name, a in self.initializers.items()])
        opsets = [helper.make_opsetid("", self.opset)]
        # The oldest IR version that carries this opset, so older runtimes load it.
        model = helper.make_model(
            graph, opset_imports=opsets, producer_name="baro",
            producer_version=producer_version,
            ir_version=helper.find_min_ir_version_for(opsets))
        return model


def _value_info(helper, value: Value):
    shape = ["batch" if i == 0 else (None if s is None else int(s))
             for i, s in enumerate(value.shape)]
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(value.dtype))
    return helper.make_tensor_value_info(value.name, elem, shape)


def _cancel_transposes(nodes: list[_Node]) -> None:
    """Bypasses Transpose(B) of Transpose(A) when B undoes A: B's readers read A's
    input instead. A itself is removed later if nobody else reads it."""
    producer = {out: n for n in nodes for out in n.outputs}
    renames: dict[str, str] = {}
    for node in nodes:
        node.inputs = [renames.get(i, i) for i in node.inputs]
        if node.op_type != "Transpose":
            continue
        first = producer.get(node.inputs[0])
        if first is None or first.op_type != "Transpose":
            continue
        inner, outer = first.attrs["perm"], node.attrs["perm"]
        if [inner[p] for p in outer] == list(range(len(outer))):
            renames[node.outputs[0]] = first.inputs[0]


def _drop_dead(nodes: list[_Node], initializers: dict, keep: set[str]) -> None:
    """Removes nodes whose outputs nobody reads, then unread initializers."""
    while True:
        read = set(keep)
        for node in nodes:
            read.update(node.inputs)
        alive = [n for n in nodes if any(o in read for o in n.outputs)]
        if len(alive) == len(nodes):
            break
        nodes[:] = alive
    for name in [k for k in initializers if k not in read]:
        del initializers[name]
