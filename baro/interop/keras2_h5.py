"""Keras 2 HDF5 files: whole models (`model.save("m.h5")`) and weights.

The layout tf.keras 2 writes (`hdf5_format.save_model_to_hdf5`):

- root attributes `model_config` (JSON `{"class_name": "Sequential", "config":
  {"name": ..., "layers": [...]}}`), `keras_version`, `backend` and, for a
  compiled model, `training_config`;
- group `model_weights` with attribute `layer_names` (every layer of
  `model.layers`), and for each layer a group of that name whose attribute
  `weight_names` (e.g. `[b"dense/kernel:0", b"dense/bias:0"]`) names datasets
  below it (`model_weights/dense/dense/kernel:0`); a weightless layer has an
  empty list. Lists too long for one attribute are split over `layer_names0`,
  `layer_names1`, ...

A weights-only file (`save_weights("w.h5")`) has the same layer groups at its
root. As in Keras 2, weights go to the model's layers that have weights, in
order (each layer's trainable weights, then the others), or by layer name.
The file is opened read-only and every dataset's shape is checked against the
weight it fills before it is read.
"""

from __future__ import annotations

import json
import os

import numpy as np

from baro.interop import graph
from baro.interop.keras_format import (
    compile_from_keras,
    load_budget,
    open_h5,
    require_h5py,
)
from baro.saving.scope import get_custom_objects

_MAX_ATTR_CHUNKS = 10_000


def load_keras2_h5(path, custom_objects: dict | None = None, compile: bool = True,
                   safe_mode: bool = True):
    """Builds a baro model from a Keras 2 `.h5` model file.

    Args:
        path: The HDF5 file `model.save("m.h5")` wrote in tf.keras 2.
        custom_objects: Optional `{Keras class name: baro Layer subclass}`
            (merged over any enclosing `custom_object_scope`).
        compile: Compile with the saved `training_config` when baro knows its
            optimizer, loss and metrics (otherwise a warning says why).
        safe_mode: Accepted for `load_model`'s signature; a Keras Lambda layer
            holds bytecode and is refused whatever its value.

    Returns:
        The baro `Sequential` or `Functional` model, weights assigned.

    Raises:
        ValueError: For a weights-only file, an unsupported layer (a Lambda is
            always refused), a config claiming more weights than the file holds,
            or weights that do not fit the layers.
        ImportError: If h5py is not installed.
    """
    h5py = require_h5py()
    path = os.fspath(path)
    custom_objects = {**get_custom_objects(), **(custom_objects or {})}
    with open_h5(path, path) as store:
        if "model_config" not in store.attrs:
            raise ValueError(
                f"{path} has no model_config attribute: it holds weights only. "
                "Build the model in baro and call load_keras2_weights(model, path).")
        spec = _json_attr(store.attrs["model_config"], path, "model_config")
        if not isinstance(spec, dict):
            raise ValueError(f"{path}: model_config does not describe a model.")
        with load_budget(os.path.getsize(path), path):
            model = graph.model_from_keras(spec, custom_objects)
        if not isinstance(store.get("model_weights"), h5py.Group):
            raise ValueError(f"{path}: no model_weights group.")
        _load_group(store["model_weights"], model, path)
        training = store.attrs.get("training_config")
    if compile and training is not None:
        config = _json_attr(training, path, "training_config")
        if isinstance(config, dict):
            compile_from_keras(model, config, path)
    return model


def load_keras2_weights(model, path, by_name: bool = False,
                        skip_mismatch: bool = False) -> None:
    """Assigns weights from a Keras 2 `.h5` weights (or model) file.

    Args:
        model: A built baro model with the architecture the file was saved from.
        path: The HDF5 file.
        by_name: Match layers by name (unknown names are skipped) instead of by
            the order of the layers that have weights.
        skip_mismatch: Skip layers whose weight count or shapes differ instead
            of raising.

    Raises:
        ValueError: On a layer-count, weight-count or shape mismatch.
    """
    path = os.fspath(path)
    with open_h5(path, path) as store:
        group = store["model_weights"] if "model_weights" in store else store
        _load_group(group, model, path, by_name, skip_mismatch)


def is_keras2_layout(path) -> bool:
    """True for a Keras 2 HDF5 file (weights listed by `layer_names`), False
    for Keras 3's `.weights.h5` layout (`layers/<key>/vars`)."""
    path = os.fspath(path)
    with open_h5(path, path) as store:
        group = store["model_weights"] if "model_weights" in store else store
        return any(name.startswith("layer_names") for name in group.attrs)


def _json_attr(value, path: str, name: str):
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, bytes):
        value = value.decode("utf8", errors="replace")
    if not isinstance(value, str):
        raise ValueError(f"{path}: attribute {name} is not a JSON string.")
    try:
        return json.loads(value)
    except ValueError as err:
        raise ValueError(f"{path}: attribute {name} is not valid JSON "
                         f"({err}).") from None


def _string_list(group, name: str, path: str) -> list[str]:
    """A (possibly chunked) list-of-strings attribute; absent means empty."""
    if name in group.attrs:
        chunks = [group.attrs[name]]
    else:
        chunks = []
        while f"{name}{len(chunks)}" in group.attrs:
            if len(chunks) >= _MAX_ATTR_CHUNKS:
                raise ValueError(f"{path}: attribute {name} has too many chunks.")
            chunks.append(group.attrs[f"{name}{len(chunks)}"])
    out = []
    for chunk in chunks:
        items = np.atleast_1d(np.asarray(chunk))
        if items.size == 0:
            continue  # h5py stores an empty list as an empty float array
        for item in items.tolist():
            if isinstance(item, bytes):
                item = item.decode("utf8", errors="replace")
            if not isinstance(item, str):
                raise ValueError(f"{path}: attribute {name} of {group.name} holds "
                                 f"{item!r}, expected strings.")
            out.append(item)
    return out


def _legacy_weights(layer) -> list:
    return layer.trainable_weights + layer.non_trainable_weights


def _saved_layers(group, path: str) -> list[tuple[str, list]]:
    """`(layer name, datasets)` for each saved layer that has weights."""
    h5py = require_h5py()
    saved = []
    for name in _string_list(group, "layer_names", path):
        layer_group = group.get(name) if name in group else None
        if not isinstance(layer_group, h5py.Group):
            raise ValueError(f"{path}: layer_names lists {name!r}, but there is "
                             "no such group.")
        datasets = []
        for weight_name in _string_list(layer_group, "weight_names", path):
            dataset = layer_group.get(weight_name) if \
                not weight_name.startswith("/") and weight_name in layer_group \
                else None
            if not isinstance(dataset, h5py.Dataset) or \
                    dataset.dtype.kind not in "fiub":
                raise ValueError(f"{path}: weight {weight_name!r} of layer "
                                 f"{name!r} is missing or not a numeric array.")
            datasets.append(dataset)
        if datasets:
            saved.append((name, datasets))
    return saved


def _assign(layer, datasets: list, source: str, skip_mismatch: bool) -> None:
    variables = _legacy_weights(layer)
    problem = None
    if len(variables) != len(datasets):
        problem = (f"layer {layer.name!r} expects {len(variables)} weights, the "
                   f"file has {len(datasets)} ({[d.name for d in datasets]})")
    else:
        for variable, dataset in zip(variables, datasets, strict=True):
            if tuple(dataset.shape) != tuple(variable.shape):
                problem = (f"{dataset.name} has shape {dataset.shape}, the weight "
                           f"{variable.path} of layer {layer.name!r} has shape "
                           f"{variable.shape}")
                break
    if problem is not None:
        if skip_mismatch:
            return
        raise ValueError(f"{source}: {problem}.")
    for variable, dataset in zip(variables, datasets, strict=True):
        variable.assign(np.asarray(dataset[()], dtype=variable.dtype))


def _load_group(group, model, source: str, by_name: bool = False,
                skip_mismatch: bool = False) -> None:
    saved = _saved_layers(group, source)
    if by_name:
        layers = {layer.name: layer for layer in model.layers}
        for name, datasets in saved:
            if name in layers:
                _assign(layers[name], datasets, source, skip_mismatch)
        return
    targets = [layer for layer in model.layers if _legacy_weights(layer)]
    if len(targets) != len(saved):
        raise ValueError(
            f"{source}: the file has {len(saved)} layers with weights "
            f"({[name for name, _ in saved]}), model {model.name!r} has "
            f"{len(targets)} ({[layer.name for layer in targets]}).")
    for layer, (_name, datasets) in zip(targets, saved, strict=True):
        _assign(layer, datasets, source, skip_mismatch)
