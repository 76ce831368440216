"""Keras 3 `.keras` files: load one as a baro model, save a baro model as one.

A `.keras` file is a zip of `config.json` (the model as Keras's
`serialize_keras_object` writes it), `metadata.json` and `model.weights.h5`.
In the weights file a model's layers sit under `layers/<key>`, the key being the
snake-cased class name made unique in `model.layers` order (`dense`, `dense_1`,
... -- not the layer's own name), each with `vars/0..n-1` (see
`layer_map.weight_slots` for layers with sub-layers). Configs are data: classes
come from an explicit table and every array is checked against the layer it
fills before it is read, and what a config may allocate is capped by the size
of the weights file it comes with. The Sequential/Functional graph itself is
translated in `graph.py`; compile settings here; optimizer state (Keras's
`optimizer/vars`) in `keras_optimizer.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
import warnings
import zipfile

import numpy as np

from baro import losses, metrics, optimizers
from baro.interop import graph
from baro.interop.keras_optimizer import (
    read_optimizer_state,
    restore_optimizer_state,
    write_optimizer_state,
)
from baro.interop.layer_map import (
    MODELS,
    canonical_name,
    keep_known,
    keras_snake_case,
    unique_key,
    weight_slots,
)
from baro.models import Functional, Sequential
from baro.saving.archive import SafeArchive, write_archive
from baro.saving.safetensors import atomic_write
from baro.saving.scope import AllocationBudget, get_custom_objects

_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_MAX_JSON_BYTES = 64 * 2**20
# The HDF5 container adds headers per group and dataset; this bounds it.
_H5_SLACK_BYTES = 16 * 2**20
# The Keras release whose file layout this writer follows.
KERAS_FORMAT_VERSION = "3.0.0"


def require_h5py():
    """Imports h5py, or explains how to install it (`pip install baro[h5]`)."""
    try:
        import h5py
    except ImportError:
        raise ImportError("Reading and writing Keras weight files needs h5py: "
                          "pip install h5py (or baro[h5]).") from None
    return h5py


@contextlib.contextmanager
def open_h5(file, source: str):
    """Opens an HDF5 file (path or file object) read-only; whatever a damaged
    file makes h5py raise becomes a ValueError naming `source`."""
    h5py = require_h5py()
    try:
        handle = h5py.File(file, "r")
    except (OSError, ValueError, OverflowError) as err:
        raise ValueError(f"{source}: not a readable HDF5 file ({err}).") from None
    try:
        with handle:
            yield handle
    except (OSError, RuntimeError, KeyError, TypeError, OverflowError) as err:
        raise ValueError(f"{source}: damaged HDF5 data ({err}).") from err


def load_budget(weight_bytes: int, source: str) -> AllocationBudget:
    """What rebuilding a model from a file may allocate: its weights are no
    larger than the bytes the file stores them in (Keras writes them raw)."""
    return AllocationBudget(weight_bytes + (1 << 16),
                            max(256 << 20, 4 * weight_bytes), source)


def load_keras(path, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Builds a baro model from a Keras 3 `.keras` file.

    Sequential and Functional models (nested ones too) made of the layers in
    `layer_map.SUPPORTED` load with their weights; the training configuration
    is applied when `compile` is true and baro knows its optimizer, loss and
    metrics (otherwise a warning says why and the model stays uncompiled), and
    the optimizer's state is restored so training resumes where it stopped.

    Args:
        path: The `.keras` file.
        custom_objects: Optional `{Keras class name: baro Layer subclass}` for
            layers outside the built-in table (merged over any enclosing
            `custom_object_scope`).
        compile: Whether to compile the model as it was saved.
        safe_mode: Accepted for `load_model`'s signature; a Keras Lambda layer
            holds bytecode and is refused whatever its value.

    Returns:
        The baro model (`Sequential` or `Functional`).

    Raises:
        ValueError: For a file that is not a Keras 3 model, a layer baro does not
            build (a Lambda is always refused: it stores bytecode), a config
            that claims more weights than the file holds, or weights that do not
            fit the layers.
        ImportError: If h5py is not installed.
    """
    require_h5py()
    path = os.fspath(path)
    with open(path, "rb") as f:
        if f.read(8) == b"\x89HDF\r\n\x1a\n":
            raise ValueError(f"{path} is an HDF5 file, not a Keras 3 .keras "
                             "archive: load it with load_keras2_h5.")
    custom_objects = {**get_custom_objects(), **(custom_objects or {})}
    with SafeArchive(path, required=(_CONFIG, _WEIGHTS)) as archive:
        spec = _parse_json(archive.read(_CONFIG, limit=_MAX_JSON_BYTES), path)
        weights = archive.read(_WEIGHTS)
    # The config may claim any sizes; the weights it ships with bound them.
    with load_budget(len(weights), path):
        model = graph.model_from_keras(spec, custom_objects)
    with open_h5(io.BytesIO(weights), path) as store:
        _read_slots(store, slots_from_config(model, spec), path)
        state = read_optimizer_state(store, path) if compile else None
    if compile and isinstance(spec.get("compile_config"), dict):
        if compile_from_keras(model, spec["compile_config"], path):
            restore_optimizer_state(model, state, path)
    return model


def _parse_json(raw: bytes, path: str):
    try:
        spec = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise ValueError(f"{path}: config.json is not valid JSON ({err}).") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        raise ValueError(f"{path}: config.json does not describe a model.")
    return spec


def _read_slots(store, slots: list, source: str,
                skip_mismatch: bool = False) -> None:
    """Assigns every `(group path, variables, layer name)` slot from `store`,
    checking count, shape and dtype before any data is read."""
    h5py = require_h5py()
    for group_path, variables, owner in slots:
        if not variables:
            continue
        group = store.get(group_path) if group_path in store else None
        problem = None
        if not isinstance(group, h5py.Group):
            problem = f"no weights for layer {owner!r} (expected {group_path})"
        elif sorted(group.keys()) != sorted(str(i) for i in range(len(variables))):
            problem = (f"layer {owner!r} has {len(variables)} weights, the file "
                       f"holds {sorted(group.keys())} under {group_path}")
        else:
            problem = _dataset_problem(group, variables, owner, h5py)
        if problem is None:
            for i, variable in enumerate(variables):
                variable.assign(np.asarray(group[str(i)][()], dtype=variable.dtype))
        elif not skip_mismatch:
            raise ValueError(f"{source}: {problem}.")


def _dataset_problem(group, variables, owner: str, h5py) -> str | None:
    for i, variable in enumerate(variables):
        dataset = group[str(i)]
        if not isinstance(dataset, h5py.Dataset) or dataset.dtype.kind not in "fiub":
            return f"{group.name}/{i} is not a numeric array"
        if tuple(dataset.shape) != tuple(variable.shape):
            return (f"{group.name}/{i} has shape {dataset.shape}, the weight "
                    f"{variable.path} of layer {owner!r} has shape {variable.shape}")
    return None


def compile_from_keras(model, compile_config: dict, source: str = "file") -> bool:
    """Compiles `model` from a Keras `compile_config` (Keras 2's
    `training_config` works too); warns and returns False if baro cannot.
    """
    try:
        model.compile(**compile_kwargs_from_keras(compile_config))
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        warnings.warn(f"{source}: the model was not compiled ({err}); call "
                      "model.compile(...) yourself.", stacklevel=3)
        return False
    return True


def save_keras(model, path, overwrite: bool = True,
               include_optimizer: bool = True) -> None:
    """Writes a baro model as a Keras 3 `.keras` file (`keras.saving.load_model`
    reads it back).

    Sequential and Functional models made of layers Keras also has are
    supported, with their compile settings and (unless `include_optimizer` is
    False) the optimizer's state. The file is written atomically (temp file +
    rename).

    Args:
        model: A built `Sequential` or `Functional` model.
        path: Destination, conventionally ending in `.keras`.
        overwrite: If False, an existing file is an error.
        include_optimizer: Whether to store the optimizer's variables.

    Raises:
        ValueError: For a subclassed model, an unbuilt one, or a layer Keras has
            no class for (Lambda, operator layers from `x + y`, custom layers).
        FileExistsError: If the file exists and `overwrite` is False.
        ImportError: If h5py is not installed.
    """
    path = os.fspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    spec = graph.model_to_keras(model)
    compile_config = compile_config_to_keras(model)
    if compile_config is not None:
        spec["compile_config"] = compile_config
    metadata = {"keras_version": KERAS_FORMAT_VERSION,
                "date_saved": time.strftime("%Y-%m-%d@%H:%M:%S"),
                "saved_by": "baro"}
    write_archive(path, {_METADATA: json.dumps(metadata).encode(),
                         _CONFIG: json.dumps(spec).encode(),
                         _WEIGHTS: weights_to_h5_bytes(model, include_optimizer)},
                  stored=(_WEIGHTS,))


def weights_to_h5_bytes(model, include_optimizer: bool = False) -> bytes:
    """The model's weights (and optimizer state) in Keras 3's
    `model.weights.h5` layout."""
    h5py = require_h5py()
    raw = io.BytesIO()
    with h5py.File(raw, "w") as store:
        store.create_group("vars").attrs["name"] = model.name
        for group_path, variables, _owner in slots_from_model(model):
            group = store.require_group(group_path)
            for i, variable in enumerate(variables):
                group.create_dataset(str(i), data=variable.numpy())
        if include_optimizer:
            write_optimizer_state(store, model)
    return raw.getvalue()


def save_keras_weights(model, path, overwrite: bool = True) -> None:
    """Writes only the weights, as Keras 3's `model.save_weights("x.weights.h5")`.

    Raises:
        FileExistsError: If the file exists and `overwrite` is False.
    """
    path = os.fspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    atomic_write(path, weights_to_h5_bytes(model))


def load_keras_weights(model, path, skip_mismatch: bool = False) -> None:
    """Assigns weights from a Keras 3 `.weights.h5` file (or a `.keras` file's
    weights) to a baro model with the same architecture.

    Args:
        model: A built Sequential or Functional model.
        path: The file.
        skip_mismatch: Leave layers whose weights are missing or differ in
            count or shape as they are, instead of raising.

    Raises:
        ValueError: If a layer's weights are missing or do not fit.
    """
    require_h5py()
    path = os.fspath(path)
    slots = slots_from_model(model)
    if not zipfile.is_zipfile(path):
        with open_h5(path, path) as store:
            _read_slots(store, slots, path, skip_mismatch)
        return
    limit = 2 * sum(w.numpy().nbytes for w in model.weights) + _H5_SLACK_BYTES
    with SafeArchive(path, required=(_WEIGHTS,)) as archive:
        data = io.BytesIO(archive.read(_WEIGHTS, limit=limit))
    with open_h5(data, path) as store:
        _read_slots(store, slots, path, skip_mismatch)


# -- weight layout ------------------------------------------------------------
def slots_from_config(model, spec: dict, prefix: str = "") -> list:
    """`(group path, variables, layer name)` for every layer of a model built by
    `model_from_keras`, keyed in the config's layer order (the order Keras
    wrote the weights in)."""
    config = spec.get("config")
    specs = config if isinstance(config, list) else config.get("layers", [])
    if spec.get("class_name") == "Sequential":
        specs = [s for s in specs if s.get("class_name") != "InputLayer"]
    specs = [s for s in specs if not graph.is_op(s)]  # not in Keras's model.layers
    used: dict = {}
    slots = []
    for layer_spec in specs:
        key = unique_key(keras_snake_case(canonical_name(layer_spec["class_name"])),
                          used)
        layer = model.get_layer(graph.layer_name(layer_spec))
        if layer_spec["class_name"] in MODELS:
            slots += slots_from_config(layer, layer_spec, f"{prefix}layers/{key}/")
        else:
            slots += [(f"{prefix}layers/{key}/{rel}", variables, layer.name)
                      for rel, variables in weight_slots(layer)]
    return slots


def slots_from_model(model, prefix: str = "") -> list:
    """`(group path, variables, layer name)` for a baro model, in the layout
    Keras 3 will look for after rebuilding it."""
    used: dict = {}
    slots = []
    for layer in graph.members(model):
        key = unique_key(keras_snake_case(type(layer).__name__), used)
        if isinstance(layer, (Sequential, Functional)):
            slots += slots_from_model(layer, f"{prefix}layers/{key}/")
        else:
            slots += [(f"{prefix}layers/{key}/{rel}", variables, layer.name)
                      for rel, variables in weight_slots(layer)]
    return slots


# -- compile configs ----------------------------------------------------------
_OPTIMIZER_IGNORED = ("jit_compile", "is_legacy_optimizer")


def _object_from_keras(value, table: dict, family: str):
    """A Keras loss/metric entry (name, spec, list or per-output dict) for baro."""
    if isinstance(value, list):
        return [_object_from_keras(v, table, family) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _object_from_keras(v, table, family) for k, v in value.items()}
    if not isinstance(value, dict):
        return value
    name, config = value["class_name"], value.get("config") or {}
    if name == "function" and isinstance(config, str):
        return config
    if name == "MeanMetricWrapper" and isinstance(config.get("name"), str):
        return config["name"]  # Keras 2 wraps metrics given by name
    cls = table.get(name)
    if not isinstance(cls, type):
        raise ValueError(f"unknown {family} {name!r}")
    if config.get("reduction") == "auto":  # Keras 2's name for the default
        config = {**config, "reduction": "sum_over_batch_size"}
    return cls(**keep_known(cls, config, f"{family} {name}"))


def compile_kwargs_from_keras(compile_config: dict) -> dict:
    """`model.compile` arguments from a Keras 3 `compile_config` or a Keras 2
    `training_config`.

    Raises:
        ValueError: For an optimizer, loss or metric baro does not know.
    """
    kwargs = {}
    spec = compile_config.get("optimizer", compile_config.get("optimizer_config"))
    if isinstance(spec, dict):
        if not isinstance(spec.get("class_name"), str):
            raise ValueError(f"bad optimizer spec {str(spec)[:100]}")
        cls = type(optimizers.get(spec["class_name"]))
        config = {k: v for k, v in (spec.get("config") or {}).items()
                  if k not in _OPTIMIZER_IGNORED}
        kwargs["optimizer"] = cls(**config)
    elif isinstance(spec, str):
        kwargs["optimizer"] = spec
    for key, table, family in (("loss", losses.ALL_OBJECTS, "loss"),
                               ("metrics", metrics.ALL_OBJECTS, "metric"),
                               ("weighted_metrics", metrics.ALL_OBJECTS, "metric")):
        value = compile_config.get(key)
        if key != "loss" and isinstance(value, list) and len(value) == 1 and \
                isinstance(value[0], list):
            value = value[0]  # Keras 2 lists metrics per output: [[...]]
        if value is not None:
            kwargs[key] = _object_from_keras(value, table, family)
    if compile_config.get("loss_weights") is not None:
        kwargs["loss_weights"] = compile_config["loss_weights"]
    return kwargs


def _keras_objects(value):
    if isinstance(value, dict) and "class_name" in value:
        module = value.get("module")
        return {"module": f"keras.{module}" if module else "keras",
                "class_name": value["class_name"],
                "config": _keras_objects(value.get("config", {})),
                "registered_name": None}
    if isinstance(value, dict):
        return {k: _keras_objects(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_keras_objects(v) for v in value]
    return value


def compile_config_to_keras(model) -> dict | None:
    """The model's compile arguments in Keras 3's `compile_config` form."""
    config = model.compile_config() if hasattr(model, "compile_config") else None
    return None if config is None else _keras_objects(config)
