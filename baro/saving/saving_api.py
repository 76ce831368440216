"""save_model / load_model / save_weights / load_weights.

A model file is a zip holding `config.json` (the architecture as plain JSON, from
`get_config`), `model.weights.safetensors` and `metadata.json`. Loading looks class
names up in the registry and never executes code from the file.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

from baro.saving import safetensors
from baro.saving.serialization import deserialize, serialize

_WEIGHTS = "model.weights.safetensors"


def _check_overwrite(filepath, overwrite: bool) -> None:
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists; pass overwrite=True to replace it.")


def _weights_dict(model) -> tuple[dict, dict]:
    arrays, paths = {}, {}
    for i, variable in enumerate(model.weights):
        key = f"{i:05d}"
        arrays[key] = variable.numpy()
        paths[key] = variable.path
    return arrays, {"paths": json.dumps(paths), "format": "baro-weights-1"}


def _assign(model, arrays: dict, skip_mismatch: bool, source: str) -> None:
    weights = model.weights
    keys = sorted(arrays)
    if len(keys) != len(weights) and not skip_mismatch:
        raise ValueError(f"{source} holds {len(keys)} weights but model "
                         f"{model.name!r} has {len(weights)}.")
    for variable, key in zip(weights, keys, strict=False):
        value = arrays[key]
        if value.shape != variable.shape:
            if skip_mismatch:
                continue
            raise ValueError(f"{source}: weight {key} has shape {value.shape}, the "
                             f"model's {variable.path} has shape {variable.shape}.")
        variable.assign(value)


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Writes the model's weights (in `model.weights` order) as safetensors."""
    filepath = os.fspath(filepath)
    _check_overwrite(filepath, overwrite)
    arrays, metadata = _weights_dict(model)
    safetensors.save_file(arrays, filepath, metadata)


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Assigns weights from `save_weights`'s file (or a saved model archive)."""
    filepath = os.fspath(filepath)
    if zipfile.is_zipfile(filepath):
        with zipfile.ZipFile(filepath) as archive:
            arrays, _ = safetensors.loads(archive.read(_WEIGHTS))
    else:
        arrays, _ = safetensors.load_file(filepath)
    _assign(model, arrays, skip_mismatch, filepath)


def save_model(model, filepath, overwrite: bool = True) -> None:
    """Writes architecture + weights + compile settings to one zip file."""
    filepath = os.fspath(filepath)
    if filepath.endswith(".h5"):
        raise ValueError("baro saves models as a zip archive; use a .keras file "
                         "name (HDF5 .h5 is not supported).")
    _check_overwrite(filepath, overwrite)
    config = serialize(model)
    compile_config = model.compile_config() if hasattr(model, "compile_config") \
        else None
    arrays, metadata = _weights_dict(model)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", json.dumps(
            {**config, "compile_config": compile_config}, indent=1))
        archive.writestr("metadata.json", json.dumps(
            {"format": "baro-model-1", "keras_version": "3 (baro)"}))
        archive.writestr(_WEIGHTS, safetensors.dumps(arrays, metadata))
    safetensors.atomic_write(filepath, buffer.getvalue())


def _deserialize_nested(value, custom_objects):
    """Undoes Model.compile_config: config dicts become objects again; names stay
    names (compile resolves them)."""
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(value, custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_nested(v, custom_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_nested(v, custom_objects) for v in value]
    return value


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuilds a model saved by `save_model`; no code from the file runs.

    Raises:
        ValueError: If the file is not a baro model archive, or names a class that
            is neither registered nor in `custom_objects`.
    """
    filepath = os.fspath(filepath)
    if not zipfile.is_zipfile(filepath):
        raise ValueError(f"{filepath} is not a model archive saved by model.save().")
    with zipfile.ZipFile(filepath) as archive:
        names = set(archive.namelist())
        if "config.json" not in names or _WEIGHTS not in names:
            raise ValueError(f"{filepath} lacks config.json or {_WEIGHTS}.")
        config = json.loads(archive.read("config.json"))
        arrays, _ = safetensors.loads(archive.read(_WEIGHTS))
    compile_config = config.pop("compile_config", None)
    model = deserialize(config, custom_objects, "model")
    if not model.built and arrays:
        raise ValueError(f"{filepath}: the restored model is not built, so its "
                         "weights cannot be assigned; give the first layer an "
                         "input shape before saving.")
    _assign(model, arrays, False, filepath)
    if compile and compile_config and hasattr(model, "compile"):
        optimizer = compile_config.get("optimizer")
        optimizer = deserialize(optimizer, custom_objects, "optimizer") \
            if isinstance(optimizer, dict) else optimizer
        model.compile(optimizer=optimizer, **{
            key: _deserialize_nested(compile_config.get(key), custom_objects)
            for key in ("loss", "loss_weights", "metrics", "weighted_metrics")})
    return model


