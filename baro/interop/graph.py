"""Sequential and Functional models between Keras's config format and baro.

Reading replays the layer calls a config lists, as Keras's
`functional_from_config` does (Keras 3's `{"args", "kwargs"}` nodes and Keras 2's
`[[layer, node, tensor, kwargs], ...]` lists). Keras operations recorded in a
graph (`x + y` on Keras tensors) are refused, except the ones Keras 3 records to
compute a `mask=` argument, which baro's layers pass along themselves. Writing
emits the layers in the order Keras itself will compute for the rebuilt graph
(`keras_layer_order`), because that order names the groups of the weights file.
"""

from __future__ import annotations

import inspect

from baro import layers as baro_layers
from baro.interop.layer_map import (
    MODELS,
    SUPPORTED,
    config_from_keras,
    dtype_policy,
    layer_spec_to_keras,
)
from baro.layers import InputLayer, MultiHeadAttention
from baro.layers.symbolic import SymbolicTensor, flatten
from baro.models.functional import Functional
from baro.models.sequential import Sequential


# -- Keras -> baro --------------------------------------------------------------
class _NotReady(Exception):
    """A node's input tensor has not been produced yet."""


def model_from_keras(spec: dict, custom_objects: dict | None = None):
    """Builds the baro Sequential/Functional model a Keras model spec describes.

    Args:
        spec: `{"class_name": "Sequential" | "Functional", "config": {...}}` as
            Keras 3 (or, without "module" keys, Keras 2) writes it.
        custom_objects: Optional `{Keras class name: baro Layer subclass}`.

    Raises:
        ValueError: For a subclassed model (its code is not in the file), an
            unsupported layer, or a malformed config (whatever is wrong in it).
    """
    try:
        return _model_from_keras(spec, custom_objects)
    except (TypeError, KeyError, IndexError, AttributeError, RecursionError) as err:
        # A hostile or damaged file must end in a ValueError, whatever it holds.
        raise ValueError(f"Malformed Keras model config ({type(err).__name__}: "
                         f"{str(err)[:300]}).") from err


def _model_from_keras(spec: dict, custom_objects):
    class_name = spec.get("class_name")
    config = spec.get("config")
    if class_name == "Sequential":
        return _sequential_from_keras(spec, custom_objects)
    if class_name in ("Functional", "Model") and isinstance(config, dict) and \
            "layers" in config:
        return _functional_from_keras(config, custom_objects)
    raise ValueError(
        f"Cannot rebuild the Keras model class {class_name!r}: only Sequential "
        "and Functional models are stored as data (a subclassed model's code is "
        "not in the file). Build it in baro and use load_keras_weights.")


def layer_name(spec: dict) -> str:
    """The name a layer spec gives its layer (Keras 2 and 3 put it in
    different places)."""
    config = spec.get("config")
    name = spec.get("name") or (config.get("name") if isinstance(config, dict)
                                else None)
    if not isinstance(name, str):
        raise ValueError(f"Keras layer spec without a name: {str(spec)[:200]}.")
    return name


def is_op(spec: dict) -> bool:
    """True for a Keras operation (`keras.src.ops...`), which is no layer."""
    module = spec.get("module") or ""
    return not isinstance(module, str) or ".ops" in module


def _op_message(spec: dict) -> str:
    return (f"Keras operation {spec.get('module')}.{spec.get('class_name')} "
            "(recorded from an expression such as x + y on Keras tensors) is not a "
            "layer; baro rebuilds layers only. Use the layer (keras.layers.Add, "
            "...) in the Keras model.")


class _Produced(dict):
    """Tensors made so far by `(layer, call number, index)`; `ops` maps the
    Keras operations that are not rebuilt to the error their use raises, and
    `functional` names the nested Functional models."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: dict[str, str] = {}
        self.functional: set[str] = set()


def _layer_from_keras(spec, custom_objects):
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        raise ValueError(f"Expected a Keras layer spec, received {str(spec)[:200]}.")
    class_name = spec["class_name"]
    if class_name in MODELS:
        return _model_from_keras(spec, custom_objects)
    if is_op(spec):
        raise ValueError(_op_message(spec))
    cls, config = config_from_keras(class_name, spec.get("config"), custom_objects)
    nested = {c.__name__: c for c in (custom_objects or {}).values()
              if isinstance(c, type)}
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=nested)
    return cls.from_config(config)


def _sequential_from_keras(spec: dict, custom_objects):
    config = spec.get("config")
    specs = config if isinstance(config, list) else config.get("layers", [])
    config = config if isinstance(config, dict) else {}
    model = Sequential([_layer_from_keras(s, custom_objects) for s in specs],
                       name=config.get("name"),
                       trainable=config.get("trainable", True))
    shape = config.get("build_input_shape") or \
        (spec.get("build_config") or {}).get("input_shape")
    if not model.built and isinstance(shape, list) and model.layers:
        model.build(tuple(shape))
    return model


def _functional_from_keras(config: dict, custom_objects):
    queues, produced = [], _Produced()
    for spec in config["layers"]:
        name = layer_name(spec)
        if isinstance(spec, dict) and is_op(spec):
            produced.ops[name] = _op_message(spec)
            continue
        layer = _layer_from_keras(spec, custom_objects)
        if isinstance(layer, InputLayer):
            produced[(name, 0, 0)] = layer.output_tensor
        if spec["class_name"] in ("Functional", "Model"):
            produced.functional.add(name)
        # [layer, name, number of its next call, calls still to make]
        queues.append([layer, name, 0, list(spec.get("inbound_nodes") or [])])
    # Replay calls once their inputs exist; a shared layer's later call may wait
    # for layers listed after it. One layer's calls keep their order.
    pending = sum(len(q[3]) for q in queues)
    while pending:
        progressed = False
        for queue in queues:
            layer, name, _, nodes = queue
            while nodes:
                try:
                    args, kwargs = _node_call(nodes[0], produced)
                except _NotReady:
                    break
                result = layer(*args, **kwargs)
                for j, tensor in enumerate(flatten(result)):
                    produced[(name, queue[2], j)] = tensor
                queue[2] += 1
                nodes.pop(0)
                pending -= 1
                progressed = True
        if not progressed:
            waiting = [q[1] for q in queues if q[3]]
            raise ValueError(f"Keras functional config: the calls of {waiting} "
                             "refer to layer outputs that never appear.")
    return Functional(_refs(config.get("input_layers"), produced),
                      _refs(config.get("output_layers"), produced),
                      name=config.get("name"),
                      trainable=config.get("trainable", True))


def _is_ref(value) -> bool:
    return isinstance(value, list) and len(value) == 3 and \
        isinstance(value[0], str) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value[1:])


def _tensor(ref, produced: _Produced, functional_from_one: bool = False):
    """The tensor `[layer, node, index]` names. Keras counts a nested Functional
    model's own graph as its node 0 in some places (`functional_from_one`):
    Keras 2 call arguments and every file's model outputs."""
    if not _is_ref(list(ref)):
        raise ValueError(f"Keras functional config: bad tensor reference {ref!r}.")
    if ref[0] in produced.ops:
        raise ValueError(produced.ops[ref[0]])
    key = tuple(ref)
    if functional_from_one and ref[0] in produced.functional:
        key = (ref[0], ref[1] - 1, ref[2])
    if key not in produced:
        raise _NotReady(key)
    return produced[key]


def _resolve(value, produced):
    """Keras 3 call arguments: tensors, tuples and plain data."""
    if isinstance(value, dict) and "class_name" in value:
        inner = value.get("config") or {}
        if value["class_name"] == "__keras_tensor__":
            return _tensor(inner.get("keras_history", ()), produced)
        if value["class_name"] == "__tuple__":
            return tuple(_resolve(inner.get("value", []), produced))
        raise ValueError(f"Keras functional config: cannot pass a "
                         f"{value['class_name']!r} object to a layer call.")
    if isinstance(value, dict):
        return {k: _resolve(v, produced) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, produced) for v in value]
    return value


def _uses_ops(value, ops: dict) -> bool:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = (value.get("config") or {}).get("keras_history") or [None]
        return history[0] in ops
    if isinstance(value, (dict, list)):
        items = value.values() if isinstance(value, dict) else value
        return any(_uses_ops(v, ops) for v in items)
    return False


def _legacy_kwargs(value, produced):
    """Keras 2 call kwargs: tensors are `[layer, node, tensor]` triples."""
    if _is_ref(value):
        return _tensor(value, produced, functional_from_one=True)
    if isinstance(value, dict):
        return {k: _legacy_kwargs(v, produced) for k, v in value.items()}
    return value


def _node_call(node, produced) -> tuple[list, dict]:
    if isinstance(node, dict):  # Keras 3
        kwargs = node.get("kwargs", {})
        if isinstance(kwargs, dict) and _uses_ops(kwargs.get("mask"), produced.ops):
            # Keras 3 records how it computed a mask (Masking, mask_zero) as ops
            # feeding `mask=`; baro's layers pass the same mask along themselves.
            kwargs = {k: v for k, v in kwargs.items() if k != "mask"}
        args = _resolve(node.get("args", []), produced)
        kwargs = _resolve(kwargs, produced)
        if isinstance(args, list) and isinstance(kwargs, dict):
            return args, kwargs
    elif isinstance(node, list) and node:  # Keras 2
        tensors, kwargs = [], {}
        for ref in node:
            if not isinstance(ref, list) or len(ref) not in (3, 4):
                break
            tensors.append(_tensor(ref[:3], produced, functional_from_one=True))
            if len(ref) == 4 and isinstance(ref[3], dict):
                kwargs = _legacy_kwargs(ref[3], produced)
        else:
            return [tensors[0] if len(tensors) == 1 else tensors], kwargs
    raise ValueError(f"Keras functional config: unreadable node {str(node)[:200]}.")


def _refs(value, produced):
    try:
        if _is_ref(value):
            return _tensor(value, produced, functional_from_one=True)
        if isinstance(value, dict):
            return {k: _refs(v, produced) for k, v in value.items()}
        if isinstance(value, list):
            return [_refs(v, produced) for v in value]
    except _NotReady as missing:
        raise ValueError(f"Keras functional config: model input/output "
                         f"{list(missing.args[0])} does not exist.") from None
    raise ValueError(f"Keras functional config: bad inputs/outputs {value!r}.")


# -- baro -> Keras --------------------------------------------------------------
def keras_layer_order(model: Functional) -> list:
    """The layers of a functional model in the order Keras 3 lists them.

    Keras's `map_graph`: a depth-first walk from the outputs numbers each layer
    when first met; layers are sorted by depth (distance to an output, deepest
    first), ties by that number. Iterative, so deep graphs do not recurse.
    """
    finished, order, first_seen = set(), [], {}
    for output in _sorted_flatten(model._outputs_struct):
        stack = [(output.node, None)]
        while stack:
            node, parents = stack.pop()
            if parents is None:
                if id(node) in finished:
                    continue
                first_seen.setdefault(id(node.layer), len(first_seen))
                parents = iter([t.node for t in node.parent_tensors()])
            parent = next((p for p in parents if id(p) not in finished), None)
            if parent is None:
                finished.add(id(node))
                order.append(node)
            else:
                stack += [(node, parents), (parent, None)]
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0),
                    layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        layers[id(node.layer)] = node.layer
        for parent in (t.node for t in node.parent_tensors()):
            if id(parent) in finished:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in model.inputs:  # inputs no output depends on come first
        layer = tensor.node.layer
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], first_seen[id(layer)] = 0, -1
            layers[id(layer)] = layer
    return sorted(layers.values(), key=lambda layer: (-layer_depth[id(layer)],
                                                      first_seen[id(layer)]))


def _sorted_flatten(structure) -> list:
    """Keras's `tree.flatten`: dict leaves in sorted key order."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure)
                for leaf in _sorted_flatten(structure[key])]
    return flatten(structure)


def members(model) -> list:
    """A model's layers in Keras's `model.layers` order.

    Raises:
        ValueError: For a subclassed model, which Keras cannot rebuild.
    """
    if type(model) is Sequential:
        return model.layers
    if type(model) is Functional:
        return keras_layer_order(model)
    raise ValueError(
        f"{type(model).__name__} {model.name!r} has no Keras file layout here: "
        "Keras files describe Sequential and Functional models (a subclassed "
        "model's call() is Python code). Rebuild it functionally, or use "
        "baro's own format (.baro, .weights.safetensors).")


def _as_lists(value):
    if isinstance(value, (list, tuple)):
        return [_as_lists(v) for v in value]
    return value


def _layer_to_keras(layer) -> dict:
    if isinstance(layer, (Sequential, Functional)):
        return model_to_keras(layer)
    class_name = type(layer).__name__
    if class_name not in SUPPORTED or getattr(baro_layers, class_name) is not \
            type(layer):
        hint = " (write x + y as layers.Add()([x, y]))" \
            if class_name == "OperatorLayer" else ""
        raise ValueError(f"Layer {layer.name!r} ({class_name}) has no Keras class"
                         f"{hint}; Keras files hold built-in layers only.")
    spec = layer_spec_to_keras(class_name, layer.get_config())
    shape = layer._build_shapes_arg
    # MultiHeadAttention builds from several shapes (Keras keeps its own form).
    if shape is not None and not isinstance(layer, MultiHeadAttention):
        spec["build_config"] = {"input_shape": _as_lists(shape)}
    return spec


def model_to_keras(model) -> dict:
    """Keras 3's `serialize_keras_object` output for a baro model.

    Raises:
        ValueError: For an unbuilt or subclassed model, or a layer Keras lacks.
    """
    layers = members(model)
    if type(model) is Sequential:
        if not model.built:
            raise ValueError(f"Sequential model {model.name!r} is not built: give "
                             "it an Input or input_shape= before saving.")
        shape = list(model._input_layer.batch_shape)
        specs = [layer_spec_to_keras("InputLayer", model._input_layer.get_config())]
        config = {"name": model.name, "trainable": model.trainable,
                  "dtype": dtype_policy(model.dtype),
                  "layers": specs + [_layer_to_keras(x) for x in layers],
                  "build_input_shape": shape}
        return {"module": "keras", "class_name": "Sequential", "config": config,
                "registered_name": None, "build_config": {"input_shape": shape}}
    in_graph = {id(n) for n in model._nodes}
    index = {}
    for layer in layers:
        mine = [n for n in layer._inbound_nodes if id(n) in in_graph]
        index.update({id(n): i for i, n in enumerate(mine)})

    def ref(tensor: SymbolicTensor, output: bool = False) -> list:
        # Model outputs count a nested Functional's own graph as its node 0.
        shift = output and isinstance(tensor.node.layer, Functional)
        return [tensor.node.layer.name, index[id(tensor.node)] + shift,
                tensor.index]

    def encode(value):
        if isinstance(value, SymbolicTensor):
            return {"class_name": "__keras_tensor__", "config": {
                "shape": list(value.shape), "dtype": value.dtype,
                "keras_history": ref(value)}}
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    def refs(value):
        if isinstance(value, SymbolicTensor):
            return ref(value, output=True)
        if isinstance(value, dict):
            return {k: refs(v) for k, v in value.items()}
        return [refs(v) for v in value]

    specs = []
    for layer in layers:
        is_input = isinstance(layer, InputLayer)
        spec = layer_spec_to_keras("InputLayer", layer.get_config()) if is_input \
            else _layer_to_keras(layer)
        spec["name"] = layer.name
        spec["inbound_nodes"] = [] if is_input else [
            {"args": encode(list(n.args)), "kwargs": encode(n.kwargs)}
            for n in layer._inbound_nodes if id(n) in in_graph]
        specs.append(spec)
    config = {"name": model.name, "trainable": model.trainable, "layers": specs,
              "input_layers": refs(model._inputs_struct),
              "output_layers": refs(model._outputs_struct)}
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": config, "registered_name": "Functional",
            "build_config": {"input_shape": None}}
