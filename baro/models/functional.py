"""Functional: a model defined by a graph of layer calls on `Input` tensors."""

from __future__ import annotations

import math

from baro import ops
from baro.layers.core.input_layer import InputLayer
from baro.layers.symbolic import SymbolicTensor, flatten
from baro.models.model import Model
from baro.saving.registry import register_serializable
from baro.saving.serialization import deserialize, serialize


def _pack(structure, leaves: list):
    if isinstance(structure, dict):
        return {k: _pack(structure[k], leaves) for k in structure}
    if isinstance(structure, (list, tuple)):
        return [_pack(x, leaves) for x in structure]
    return leaves.pop(0)


def fit_to_input(model: str, input_name: str, batch_shape, value,
                 check_sizes: bool = True):
    """`value` checked against an Input's `batch_shape` (Keras 3's rules).

    As Keras does, a trailing axis of size 1 is dropped or added when that
    alone makes the ranks agree ((batch,) data for an Input of shape (1,)).
    Otherwise a different rank, or (with `check_sizes`, as for Functional
    models) a different size on an axis the Input fixes, raises a ValueError
    naming the model, the input, both shapes and the likely fix. Values
    without a shape pass through untouched.
    """
    shape = getattr(value, "shape", None)
    if shape is None or batch_shape is None:
        return value
    shape, expected = tuple(shape), tuple(batch_shape)
    if len(shape) == len(expected) + 1 and shape[-1] == 1:
        return ops.squeeze(value, axis=-1)
    if len(shape) == len(expected) - 1 and expected[-1] == 1:
        return ops.expand_dims(value, axis=-1)
    if len(shape) == len(expected):
        bad = [i for i in range(1, len(shape)) if check_sizes and
               expected[i] is not None and shape[i] != expected[i]]
        if not bad:
            return value
        axis = bad[0]
        detail = (f"axis {axis} has {shape[axis]} values where the model expects "
                  f"{expected[axis]}")
    else:
        detail = f"rank {len(shape)} where the model expects rank {len(expected)}"
    raise ValueError(
        f"Model {model!r}: input {input_name!r} expects data of shape "
        f"{expected}, received shape {shape} ({detail}; the first axis is the "
        f"batch and may differ).{_input_hint(shape, expected)}")


def _input_hint(shape: tuple, expected: tuple) -> str:
    sample, wanted = shape[1:], expected[1:]
    known = None not in wanted
    if known and math.prod(sample) == math.prod(wanted) and sample != wanted:
        return (f" The values are all there in another layout: reshape with "
                f"x.reshape(-1, {', '.join(str(d) for d in wanted)}) (or add a "
                "Reshape/Flatten layer to the model).")
    if len(shape) == len(expected):
        return (f" Make each sample match Input(shape={wanted}) (the same "
                f"features, in the same order), or rebuild the model with "
                f"Input(shape={sample}).")
    return (f" Reshape the data to (batch, {', '.join(str(d) for d in wanted)}), "
            f"or rebuild the model with Input(shape={sample}).")


def _shapes_of(values: list) -> str:
    shapes = [tuple(v.shape) for v in values if hasattr(v, "shape")]
    return f" of shapes {shapes}" if len(shapes) == len(values) else ""


def _topological_nodes(outputs: list[SymbolicTensor]) -> list:
    """Nodes that produce `outputs`, each after the nodes it consumes (iterative)."""
    order, state = [], {}
    stack = [(t.node, False) for t in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if expanded:
            if state.get(key) != "done":
                state[key] = "done"
                order.append(node)
            continue
        if key in state:
            continue
        state[key] = "open"
        stack.append((node, True))
        for parent in reversed(node.parent_tensors()):
            if id(parent.node) not in state:
                stack.append((parent.node, False))
    return order


@register_serializable()
class Functional(Model):
    """A model whose forward pass replays the layer calls recorded from `inputs`
    to `outputs` (`keras.Model(inputs=..., outputs=...)`).

    Args:
        inputs: An `Input` tensor, or a list or dict of them.
        outputs: A symbolic tensor, or a list or dict of them.
        name: Model name.

    Raises:
        ValueError: If an output depends on an input that is not in `inputs`
            (a disconnected graph), naming the missing input.
    """

    def __init__(self, inputs, outputs, name: str | None = None,
                 trainable: bool = True, **kwargs) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        # outputs=[y] is one output, as in tf.keras: predict returns one array.
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise ValueError(
                    f"Model inputs and outputs must come from keras.Input and layer "
                    f"calls on it; received {t!r}.")
        for t in self.inputs:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(f"Model input {t.name!r} is not an Input tensor.")
        self._nodes = _topological_nodes(self.outputs)
        known = {id(t) for t in self.inputs}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in known:
                raise ValueError(
                    f"Graph disconnected: the outputs depend on input "
                    f"{node.outputs.name!r} (shape {node.outputs.shape}), which is "
                    "not among the model's inputs. Add it to inputs=[...].")
        layers = []
        for node in self._nodes:
            if all(node.layer is not x for x in layers):
                layers.append(node.layer)
        self._functional_layers = layers
        self.built = True

    @property
    def layers(self) -> list:
        """The model's layers in graph order (InputLayers included, as Keras)."""
        return list(self._functional_layers)

    @property
    def input_names(self) -> list[str]:
        return [t.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t.node.layer.name for t in self.outputs]

    def _feed(self, inputs) -> list:
        """Matches the call's inputs to the model's Input tensors, in order."""
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                missing = set(self._inputs_struct) - set(inputs)
                if missing:
                    raise ValueError(f"Model {self.name!r}: missing inputs "
                                     f"{sorted(missing)}.")
                return flatten({k: inputs[k] for k in self._inputs_struct})
            by_name = {t.name: t for t in self.inputs}
            missing = [n for n in by_name if n not in inputs]
            if missing:
                raise ValueError(f"Model {self.name!r}: missing inputs {missing}; "
                                 f"expected keys {list(by_name)}.")
            return [inputs[t.name] for t in self.inputs]
        values = flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(
                f"Model {self.name!r} expects {len(self.inputs)} input(s) "
                f"({[t.name for t in self.inputs]}, of shapes "
                f"{[t.shape for t in self.inputs]}), received {len(values)}"
                f"{_shapes_of(values)}. Pass a list with one array per "
                "input, in that order (or a dict keyed by input name).")
        return values

    def call(self, inputs, training=None):
        values = {id(t): fit_to_input(self.name, t.name, t.shape, v) for t, v in
                  zip(self.inputs, self._feed(inputs), strict=True)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = [_substitute(a, values) for a in node.args]
            kwargs = {k: _substitute(v, values) for k, v in node.kwargs.items()}
            result = node.layer(*args, **kwargs)
            for t, r in zip(flatten(node.outputs), flatten(result), strict=True):
                values[id(t)] = r
        return _pack(self._outputs_struct, [values[id(t)] for t in self.outputs])

    def build(self, input_shape) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        return _pack(self._outputs_struct, [t.shape for t in self.outputs])

    # -- config: layers, and for each call its inbound (layer, node, tensor) ---------
    def get_config(self) -> dict:
        # A node is named by its position among the layer's calls in this graph.
        used = {id(n) for n in self._nodes}
        node_index = {}
        for layer in self._functional_layers:
            mine = [n for n in layer._inbound_nodes if id(n) in used]
            for i, node in enumerate(mine):
                node_index[id(node)] = i

        def ref(t: SymbolicTensor):
            return [t.node.layer.name, node_index[id(t.node)], t.index]

        layers = []
        for layer in self._functional_layers:
            calls = []
            for node in layer._inbound_nodes:
                if id(node) in used and not isinstance(layer, InputLayer):
                    calls.append({"args": _encode(list(node.args), ref),
                                  "kwargs": _encode(node.kwargs, ref)})
            layers.append({**serialize(layer), "name": layer.name,
                           "inbound_nodes": calls})
        return {
            "name": self.name, "trainable": self.trainable, "layers": layers,
            "input_layers": _encode(self._inputs_struct, ref),
            "output_layers": _encode(self._outputs_struct, ref),
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        outputs: dict[tuple, object] = {}
        pending = []
        for spec in config["layers"]:
            layer = deserialize(spec, custom_objects, "layer")
            if isinstance(layer, InputLayer):
                outputs[(spec["name"], 0, 0)] = layer.output_tensor
            pending += [(layer, spec["name"], i, call)
                        for i, call in enumerate(spec["inbound_nodes"])]
        # Replay calls once their inputs exist; a shared layer's later call may
        # wait for layers listed after it. Calls of one layer keep their order.
        while pending:
            progressed = False
            waiting_layers: set[str] = set()
            for item in list(pending):
                layer, name, i, call = item
                if name in waiting_layers or not _ready(call, outputs):
                    waiting_layers.add(name)
                    continue
                result = layer(*_decode(call["args"], outputs),
                               **_decode(call["kwargs"], outputs))
                for j, t in enumerate(flatten(result)):
                    outputs[(name, i, j)] = t
                pending.remove(item)
                progressed = True
            if not progressed:
                raise ValueError("Functional.from_config: the saved graph refers to "
                                 "layer outputs that never appear.")
        inputs = _decode(config["input_layers"], outputs)
        outs = _decode(config["output_layers"], outputs)
        return cls(inputs, outs, name=config.get("name"),
                   trainable=config.get("trainable", True))


def _substitute(value, values: dict):
    if isinstance(value, SymbolicTensor):
        return values[id(value)]
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(v, values) for v in value)
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    return value


def _encode(value, ref):
    if isinstance(value, SymbolicTensor):
        return {"tensor": ref(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v, ref) for v in value]
    if isinstance(value, dict):
        return {"dict": {k: _encode(v, ref) for k, v in value.items()}}
    return value


def _ready(value, outputs: dict) -> bool:
    if isinstance(value, dict) and "tensor" in value:
        return tuple(value["tensor"]) in outputs
    if isinstance(value, dict):
        return all(_ready(v, outputs) for v in value.values())
    if isinstance(value, list):
        return all(_ready(v, outputs) for v in value)
    return True


def _decode(value, outputs: dict):
    if isinstance(value, dict) and "tensor" in value:
        return outputs[tuple(value["tensor"])]
    if isinstance(value, dict) and "dict" in value:
        return {k: _decode(v, outputs) for k, v in value["dict"].items()}
    if isinstance(value, list):
        return [_decode(v, outputs) for v in value]
    return value
