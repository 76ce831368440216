"""Keras <-> baro, one layer at a time: class names, configs and weight layouts.

Everything here is a table or a pure translation of JSON-ready dicts, so a file
from elsewhere is only ever *read*: a class name is looked up in `SUPPORTED`
(never imported), and each config key is either one baro accepts, one Keras
writes that has no effect here (dropped), or an error naming the layer and key.

Weight layout: Keras 3 stores each layer's own variables as `<path>/vars/0..n-1`
in `layer.weights` order (trainable first), and a sub-layer under the attribute
that holds it (`lstm/cell/vars`, `bidirectional/forward_layer/cell/vars`,
`multi_head_attention/query_dense/vars`). `weight_slots` gives that layout for a
built baro layer, so reading and writing share one description.
"""

from __future__ import annotations

import inspect
import re

from baro import constraints, initializers, layers, regularizers
from baro.layers.layer import Layer

# Keras layer classes baro rebuilds, each the same-named class in baro.layers.
SUPPORTED = frozenset({
    "Activation", "ActivityRegularization", "Add", "AdditiveAttention",
    "Attention", "Average", "AveragePooling1D", "AveragePooling2D",
    "BatchNormalization", "Bidirectional", "CenterCrop", "Concatenate", "Conv1D",
    "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Cropping1D", "Cropping2D",
    "Dense", "DepthwiseConv1D", "DepthwiseConv2D", "Dot", "Dropout", "ELU",
    "Embedding", "Flatten", "GRU", "GRUCell", "GaussianDropout", "GaussianNoise",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "GroupNormalization", "InputLayer", "LSTM", "LSTMCell",
    "LayerNormalization", "LeakyReLU", "Masking", "MaxPooling1D", "MaxPooling2D",
    "Maximum", "Minimum", "MultiHeadAttention", "Multiply", "Normalization",
    "PReLU", "Permute", "RNN", "RandomContrast", "RandomFlip", "RandomRotation",
    "RandomTranslation", "RandomZoom", "ReLU", "RepeatVector", "Rescaling",
    "Reshape", "Resizing", "SeparableConv1D", "SeparableConv2D", "SimpleRNN",
    "SimpleRNNCell", "Softmax", "SpatialDropout1D", "SpatialDropout2D", "Subtract",
    "TimeDistributed", "UnitNormalization", "UpSampling1D", "UpSampling2D",
    "ZeroPadding1D", "ZeroPadding2D",
})
MODELS = frozenset({"Sequential", "Functional", "Model"})

# Other spellings Keras (2 and 3) writes for the same classes.
ALIASES = {
    "Convolution1D": "Conv1D", "Convolution2D": "Conv2D",
    "Convolution1DTranspose": "Conv1DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
    "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D",
    "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
}

# Classes that carry code (Python bytecode or a TF op name) instead of data.
REFUSED = {
    "Lambda": "a Keras Lambda layer stores Python bytecode, and loading it would "
              "run that code. Rebuild the model in baro with a registered "
              "function (baro.saving.register_serializable) instead",
    "TFOpLambda": "it wraps a TensorFlow op by name; use the equivalent layer",
    "SlicingOpLambda": "it wraps a TensorFlow op by name; use the equivalent layer",
}

# Keys Keras writes that change nothing in baro whatever their value: kernel
# choices (`implementation`), shape hints that the graph already carries
# (`input_length`), and settings only read when a feature that is off is on.
IGNORED_KEYS = frozenset({"implementation", "input_length", "renorm_momentum",
                          "lora_alpha"})
# Layer keyword arguments handled by Layer.__init__ itself.
_LAYER_KWARGS = frozenset({"input_shape", "input_dim", "batch_input_shape",
                           "batch_size"})
_FAMILIES = {"initializer": initializers.ALL_OBJECTS_DICT,
             "regularizer": regularizers.ALL_OBJECTS_DICT,
             "constraint": constraints.ALL_OBJECTS_DICT}
# Keys baro writes that these Keras classes do not accept.
KERAS_REJECTS = {"SpatialDropout1D": ("trainable",),
                 "SpatialDropout2D": ("trainable",)}
# Config keys whose value is a whole nested layer spec.
NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell")


def canonical_name(class_name: str) -> str:
    """The Keras 3 class name for any Keras spelling (`"MaxPool2D"` ->
    `"MaxPooling2D"`).

    Example:
        >>> canonical_name("Convolution2D")
        'Conv2D'
    """
    return ALIASES.get(class_name, class_name)


def baro_layer_class(class_name: str, custom_objects: dict | None = None) -> type:
    """The baro class that rebuilds the Keras layer class `class_name`.

    Args:
        class_name: As written in the file (`"Dense"`, `"MaxPool2D"`, ...).
        custom_objects: Optional `{name: baro Layer subclass}` for classes the
            table does not know; they are the only way to extend it.

    Raises:
        ValueError: For a refused class (Lambda, even if `custom_objects` names
            one) or one baro does not build, listing the supported names.
        TypeError: If `custom_objects` maps the name to something other than a
            Layer subclass.

    Example:
        >>> baro_layer_class("Dense").__name__
        'Dense'
    """
    if class_name in REFUSED:  # before custom_objects: no way around it
        raise ValueError(f"Cannot load a {class_name} layer: {REFUSED[class_name]}.")
    if custom_objects and class_name in custom_objects:
        cls = custom_objects[class_name]
        if not (isinstance(cls, type) and issubclass(cls, Layer)):
            raise TypeError(f"custom_objects[{class_name!r}] must be a baro Layer "
                            f"subclass, received {cls!r}.")
        return cls
    name = canonical_name(class_name)
    if name not in SUPPORTED:
        raise ValueError(
            f"Unsupported Keras layer class {class_name!r}: baro rebuilds "
            f"{', '.join(sorted(SUPPORTED))}. Pass custom_objects={{"
            f"'{class_name}': YourLayer}} to supply your own baro layer.")
    return getattr(layers, name)


def _accepted_keys(cls: type) -> set[str]:
    """Keyword arguments `cls(...)` accepts, following `**kwargs` up the MRO."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        names |= {p.name for p in params if p.kind in (
            p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    if issubclass(cls, Layer):
        names |= _LAYER_KWARGS
    return names - {"self"}


def _is_neutral(value) -> bool:
    """An option switched off (None, False, empty): safe to drop when unknown."""
    return value is None or value is False or value in ("", [], {})


def keep_known(cls: type, config: dict, owner: str) -> dict:
    """`config` without the keys `cls(...)` does not take, as long as each
    dropped key is in `IGNORED_KEYS` or holds a switched-off value.

    Raises:
        ValueError: For a dropped key that would change behaviour, naming
            `owner`, the key and its value.

    Example:
        >>> keep_known(layers.Dropout, {"rate": 0.5, "lora_rank": None}, "d")
        {'rate': 0.5}
    """
    accepted = _accepted_keys(cls)
    kept = {}
    for key, value in config.items():
        if key in accepted:
            kept[key] = value
        elif not (key in IGNORED_KEYS or _is_neutral(value)):
            raise ValueError(
                f"{owner}: the Keras option {key}={value!r} is not supported by "
                f"baro's {cls.__name__}; save the Keras model without it (or "
                "with its default value) to load it in baro.")
    return kept


def _dtype_name(value, owner: str) -> str | None:
    """A Keras dtype policy (dict or string) as the plain dtype baro uses."""
    if isinstance(value, dict):
        value = value.get("config", {}).get("name")
    if value is None or isinstance(value, str) and not value.startswith("mixed"):
        return value
    raise ValueError(f"{owner}: dtype policy {value!r} is not supported (baro "
                     "computes in one dtype; mixed precision is not available).")


def _family_object(spec: dict, family: str, owner: str) -> dict:
    """A Keras initializer/regularizer/constraint spec as a baro one."""
    table = _FAMILIES[family]
    name = spec.get("class_name")
    cls = table.get(name) if isinstance(name, str) else None
    if not isinstance(cls, type):
        raise ValueError(f"{owner}: unknown {family} {name!r}; baro knows "
                         f"{', '.join(sorted(k for k in table if k[0].isupper()))}.")
    config = spec.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f"{owner}: the {family} {name!r} has a non-dict config.")
    return {"class_name": name,
            "config": keep_known(cls, config, f"{owner} ({name})")}


def _from_keras_value(key: str, value, owner: str, custom_objects):
    if isinstance(value, dict) and "class_name" in value:
        name = value["class_name"]
        if key == "dtype":
            return _dtype_name(value, owner)
        if name == "function" and isinstance(value.get("config"), str):
            return value["config"]  # Keras 3's way to name a built-in function
        if key in NESTED_LAYER_KEYS:
            return layer_spec_from_keras(value, custom_objects)
        for family in _FAMILIES:
            if key.endswith(family):
                return _family_object(value, family, owner)
        raise ValueError(f"{owner}: cannot translate the object {name!r} stored "
                         f"under {key!r}.")
    if key == "dtype":
        return _dtype_name(value, owner)
    return value


def config_from_keras(class_name: str, config: dict,
                      custom_objects: dict | None = None) -> tuple[type, dict]:
    """The baro class and constructor config for a Keras layer config.

    Keras's dtype policies become dtype names, nested initializers, regularizers,
    constraints and wrapped layers are translated, Keras 2 spellings are
    updated, and keys with no effect in baro are dropped.

    Raises:
        ValueError: For an unsupported class, or an option baro cannot honour
            (the message names the layer and the key).

    Example:
        >>> cls, config = config_from_keras("Dense", {
        ...     "name": "d", "units": 3, "quantization_config": None,
        ...     "dtype": {"class_name": "DTypePolicy",
        ...               "config": {"name": "float32"}}})
        >>> cls.__name__, config
        ('Dense', {'name': 'd', 'units': 3, 'dtype': 'float32'})
    """
    cls = baro_layer_class(class_name, custom_objects)
    if not isinstance(config, dict):
        raise ValueError(f"Keras layer {class_name!r}: config must be a dict, "
                         f"received {type(config).__name__}.")
    owner = f"Keras layer {config.get('name', class_name)!r} ({class_name})"
    config = {key: _from_keras_value(key, value, owner, custom_objects)
              for key, value in config.items()}
    if cls is layers.InputLayer and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    axis = config.get("axis")
    if cls is layers.BatchNormalization and isinstance(axis, list) and \
            len(axis) == 1:
        config["axis"] = axis[0]  # Keras 2 stored the built axis as a list
    if custom_objects and class_name in custom_objects:
        return cls, config
    return cls, keep_known(cls, config, owner)


def layer_spec_from_keras(spec: dict, custom_objects: dict | None = None) -> dict:
    """A nested Keras layer spec as baro's `{"class_name", "config"}`."""
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        raise ValueError(f"Expected a Keras layer spec, received {spec!r}.")
    cls, config = config_from_keras(spec["class_name"], spec.get("config") or {},
                                    custom_objects)
    return {"module": "layers", "class_name": cls.__name__, "config": config}


# -- baro -> Keras ------------------------------------------------------------------
def dtype_policy(name: str) -> dict:
    """Keras 3's serialized `DTypePolicy` for a dtype name."""
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": name}, "registered_name": None}


def _to_keras_value(key: str, value):
    if key == "dtype" and isinstance(value, str):
        return dtype_policy(value)
    if isinstance(value, dict) and "class_name" in value:
        module = value.get("module")
        if module == "layers" or key in NESTED_LAYER_KEYS:
            return layer_spec_to_keras(value["class_name"], value["config"])
        return {"module": f"keras.{module}" if module else "keras",
                "class_name": value["class_name"],
                "config": value.get("config", {}), "registered_name": None}
    if isinstance(value, tuple):
        return list(value)
    return value


def config_to_keras(class_name: str, config: dict) -> dict:
    """A baro layer config in Keras 3's form (dtype policies, module names).

    Raises:
        ValueError: If Keras has no such layer class (e.g. a Lambda).

    Example:
        >>> config_to_keras("Dropout", {"name": "d", "dtype": "float32",
        ...                             "rate": 0.5})["dtype"]["class_name"]
        'DTypePolicy'
    """
    if class_name not in SUPPORTED:
        raise ValueError(
            f"Cannot write a baro {class_name} as a Keras layer: Keras 3 files "
            "can hold only built-in layers baro shares with Keras "
            f"({', '.join(sorted(SUPPORTED))}).")
    if class_name == "InputLayer":
        return {"batch_shape": list(config["batch_shape"]),
                "dtype": config.get("dtype"), "sparse": False,
                "name": config["name"]}
    rejected = KERAS_REJECTS.get(class_name, ())
    return {key: _to_keras_value(key, value) for key, value in config.items()
            if key not in rejected}


def layer_spec_to_keras(class_name: str, config: dict) -> dict:
    """A whole Keras layer spec (module, class_name, config, registered_name)."""
    return {"module": "keras.layers", "class_name": class_name,
            "config": config_to_keras(class_name, config), "registered_name": None}


def keras_snake_case(name: str) -> str:
    """Keras's `to_snake_case`, which names weight groups (`"PReLU"` ->
    `"p_re_lu"`).

    Example:
        >>> keras_snake_case("BatchNormalization"), keras_snake_case("PReLU")
        ('batch_normalization', 'p_re_lu')
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_key(name: str, used: dict) -> str:
    """Keras's `_get_unique_name`: `name`, then `name_1`, `name_2`, ..."""
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


# -- weights ----------------------------------------------------------------------
def own_variables(layer) -> list:
    """The layer's own variables in Keras's order (trainable, then not)."""
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)


def weight_slots(layer) -> list[tuple[str, list]]:
    """Where Keras 3 keeps a built layer's variables, relative to its group.

    Returns:
        `[(group_path, variables)]`; the variables are stored as datasets
        "0".."n-1" of that group, in list order.

    Raises:
        ValueError: For a layer with sub-layers whose layout is not known.
    """
    if isinstance(layer, layers.Bidirectional):
        return (_prefixed("forward_layer/", weight_slots(layer.forward_layer)) +
                _prefixed("backward_layer/", weight_slots(layer.backward_layer)))
    if isinstance(layer, layers.RNN):
        # Stateful RNNs keep their states outside Keras files: only the cell.
        return _prefixed("cell/", weight_slots(layer.cell))
    if isinstance(layer, layers.TimeDistributed):
        return _prefixed("layer/", weight_slots(layer.layer))
    if isinstance(layer, layers.MultiHeadAttention):
        return [(f"{part}_dense/vars", own_variables(getattr(layer, f"{part}_dense")))
                for part in ("query", "key", "value", "output")]
    if layer._layers:
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) has sub-layers whose "
            "Keras weight layout baro does not know.")
    return [("vars", own_variables(layer))]


def _prefixed(prefix: str, slots: list) -> list:
    return [(prefix + path, variables) for path, variables in slots]
