"""Symbolic tensors and graph nodes: what `keras.Input` and layer calls on it build.

A `SymbolicTensor` has a shape (None for unknown sizes) and a dtype but no values.
Calling a layer on one records a `Node` (the layer, its symbolic inputs, the call's
other arguments, its symbolic outputs); a Functional model later replays the
recorded nodes in order on real tensors. Arithmetic and indexing on symbolic
tensors record an `OperatorLayer` node, so `x + y` or `x[:, 0]` work in
functional models as they do in Keras.
"""

from __future__ import annotations

import numpy as np


class SymbolicTensor:
    """A placeholder for a tensor in a functional graph (Keras's KerasTensor).

    Attributes:
        shape: Tuple with None for unknown sizes (the batch axis first).
        dtype: The dtype name.
        name: Name for display and for model inputs/outputs.
        node: The `Node` that produced it (None for an `Input`).
        index: Its position among that node's outputs.
    """

    __slots__ = ("shape", "dtype", "name", "node", "index")

    def __init__(self, shape, dtype: str = "float32", name: str | None = None,
                 node=None, index: int = 0) -> None:
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.dtype = np.dtype(dtype).name
        self.name = name
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}>")

    def __bool__(self) -> bool:
        raise TypeError(
            "A symbolic tensor (from keras.Input) has no value, so it cannot be "
            "used in an `if`. Compute inside a layer's call() or a Lambda layer.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic tensor (from keras.Input) has no value: it cannot become a "
            "NumPy array. Apply layers to it, or wrap the computation in a Lambda "
            "layer.")

    __hash__ = object.__hash__

    def _op(self, op: str, other=None, reverse: bool = False):
        from baro.layers.core.operator_layer import OperatorLayer

        if other is None:
            return OperatorLayer(op)(self)
        if is_symbolic(other):
            pair = [other, self] if reverse else [self, other]
            return OperatorLayer(op)(pair)
        return OperatorLayer(op, constant=_plain(other), reverse=reverse)(self)

    def __add__(self, other):
        return self._op("add", other)

    def __radd__(self, other):
        return self._op("add", other, reverse=True)

    def __sub__(self, other):
        return self._op("subtract", other)

    def __rsub__(self, other):
        return self._op("subtract", other, reverse=True)

    def __mul__(self, other):
        return self._op("multiply", other)

    def __rmul__(self, other):
        return self._op("multiply", other, reverse=True)

    def __truediv__(self, other):
        return self._op("divide", other)

    def __rtruediv__(self, other):
        return self._op("divide", other, reverse=True)

    def __pow__(self, other):
        return self._op("power", other)

    def __matmul__(self, other):
        return self._op("matmul", other)

    def __rmatmul__(self, other):
        return self._op("matmul", other, reverse=True)

    def __neg__(self):
        return self._op("negative")

    def __getitem__(self, key):
        from baro.layers.core.operator_layer import OperatorLayer

        return OperatorLayer("getitem", constant=key)(self)


def _plain(value):
    """Constants in a graph must serialize: arrays become nested lists."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


class Node:
    """One recorded layer call: `layer(*args, **kwargs) -> outputs`."""

    __slots__ = ("layer", "args", "kwargs", "outputs")

    def __init__(self, layer, args, kwargs, outputs) -> None:
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    @property
    def inputs(self):
        """The symbolic input structure (the call's first argument)."""
        return self.args[0]

    def parent_tensors(self) -> list[SymbolicTensor]:
        """Every symbolic tensor the call consumed, in order."""
        found = []
        for part in list(self.args) + list(self.kwargs.values()):
            found += [t for t in flatten(part) if isinstance(t, SymbolicTensor)]
        return found


def flatten(structure) -> list:
    """The leaves of nested lists/tuples/dicts, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    return [structure]


def is_symbolic(structure) -> bool:
    """True if any leaf of `structure` is a SymbolicTensor."""
    return any(isinstance(leaf, SymbolicTensor) for leaf in flatten(structure))


def _shapes(structure):
    if isinstance(structure, SymbolicTensor):
        return structure.shape
    if isinstance(structure, (list, tuple)):
        return [_shapes(x) for x in structure]
    if isinstance(structure, dict):
        return {k: _shapes(v) for k, v in structure.items()}
    return None




def is_shape(value) -> bool:
    """A tuple/list of ints and Nones (one tensor's shape), not a structure."""
    return isinstance(value, (tuple, list)) and all(
        v is None or isinstance(v, (int, np.integer)) for v in value)


def _wrap_outputs(shapes, dtypes, node, counter):
    if not is_shape(shapes) and isinstance(shapes, (list, tuple)):
        return [_wrap_outputs(s, d, node, counter)
                for s, d in zip(shapes, dtypes, strict=True)]
    if isinstance(shapes, dict):
        return {k: _wrap_outputs(shapes[k], dtypes[k], node, counter) for k in shapes}
    index = counter[0]
    counter[0] += 1
    name = node.layer.name if index == 0 else f"{node.layer.name}_{index}"
    return SymbolicTensor(shapes, dtypes, name=name, node=node, index=index)


def symbolic_call(layer, args, kwargs):
    """Records `layer(*args, **kwargs)` on symbolic inputs as a graph node."""
    from baro.layers.call_context import dry_run_call

    inputs = args[0]
    shapes = _shapes(inputs)
    if not layer.built:
        layer._build_for(shapes, args[1:], kwargs)
    several = len(args) > 1 or any(is_symbolic(v) for v in kwargs.values())
    if type(layer).compute_output_shape is not _base_compute_output_shape() \
            and not several:
        out_shapes = layer.compute_output_shape(shapes)
        out_dtypes = _same_structure_dtype(out_shapes, layer.dtype)
    else:
        out_shapes, out_dtypes = dry_run_call(layer, args, kwargs)
    node = Node(layer, tuple(args), dict(kwargs), None)
    outputs = _wrap_outputs(out_shapes, out_dtypes, node, [0])
    node.outputs = outputs
    layer._inbound_nodes.append(node)
    return outputs


def _same_structure_dtype(shapes, dtype):
    if not is_shape(shapes) and isinstance(shapes, (list, tuple)):
        return [_same_structure_dtype(s, dtype) for s in shapes]
    if isinstance(shapes, dict):
        return {k: _same_structure_dtype(v, dtype) for k, v in shapes.items()}
    return dtype


def _base_compute_output_shape():
    from baro.layers.layer import Layer

    return Layer.compute_output_shape
