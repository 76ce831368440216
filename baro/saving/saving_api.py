"""save_model / load_model / save_weights / load_weights / model_from_json.

A `.baro` model file is a zip holding

- `config.json`: the architecture as plain JSON (`serialize(model)`, i.e.
  `get_config` all the way down), `build_config`, `compile_config`, and the
  baro and format versions;
- `model.weights.safetensors`: the model's weights (keys `00000`, ... in
  `model.weights` order) and the optimizer's state (`optimizer/00000`, ... in
  `optimizer.variables` order), paths in the metadata;
- `metadata.json`: versions and the date.

Loading never executes code from the file: class names are looked up in the
registry (or `custom_objects`), every size is checked against the bytes present
before allocation, and `Lambda` layers need `safe_mode=False`. Other formats
(`.keras` files of Keras 3, Keras 2 `.h5`, `.weights.h5`) are handled by
readers registered with `register_format` (see `baro.interop`).
"""

from __future__ import annotations

import datetime
import json
import os
import warnings

from baro.saving import safetensors
from baro.saving.archive import SafeArchive, write_archive
from baro.saving.formats import format_names, get_format_function
from baro.saving.scope import AllocationBudget, CustomObjectScope, SafeModeScope
from baro.saving.serialization import deserialize, serialize

FORMAT_VERSION = 2
_WEIGHTS = "model.weights.safetensors"
_CONFIG_LIMIT = 64 << 20  # a config.json larger than 64 MB is not a model
_OPTIMIZER = "optimizer/"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

def _version() -> str:
    from baro.utils.version import version

    return version()


def _check_overwrite(filepath: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists; pass overwrite=True to replace it.")


def _weight_arrays(model, include_optimizer: bool) -> tuple[dict, dict]:
    arrays, paths = {}, {}
    for i, variable in enumerate(model.weights):
        arrays[f"{i:05d}"] = variable.numpy()
        paths[f"{i:05d}"] = variable.path
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        for i, variable in enumerate(optimizer.variables):
            arrays[f"{_OPTIMIZER}{i:05d}"] = variable.numpy()
    return arrays, {"paths": json.dumps(paths), "format": "baro-weights-1"}


def _split(arrays: dict) -> tuple[list, list]:
    model = [arrays[k] for k in sorted(arrays) if not k.startswith(_OPTIMIZER)]
    optimizer = [arrays[k] for k in sorted(arrays) if k.startswith(_OPTIMIZER)]
    return model, optimizer


def _assign(model, values: list, skip_mismatch: bool, source: str) -> None:
    weights = model.weights
    if len(values) != len(weights) and not skip_mismatch:
        raise ValueError(f"{source} holds {len(values)} weights but model "
                         f"{model.name!r} has {len(weights)}; was it saved from "
                         "another architecture?")
    for variable, value in zip(weights, values, strict=False):
        if value.shape != tuple(variable.shape) or value.dtype != variable.dtype:
            if skip_mismatch:
                continue
            raise ValueError(f"{source}: the saved weight for {variable.path} has "
                             f"shape {value.shape} and dtype {value.dtype}; the model "
                             f"expects {tuple(variable.shape)} and {variable.dtype}.")
        variable.assign(value)


def _restore_optimizer(model, values: list, source: str) -> None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not values:
        return
    if len(values) != len(optimizer.variables):
        optimizer.build(model.trainable_weights)
    if len(values) != len(optimizer.variables):
        warnings.warn(f"{source}: the saved optimizer state has {len(values)} "
                      f"variables, {optimizer.name} has {len(optimizer.variables)}; "
                      "the optimizer starts afresh.", UserWarning, stacklevel=3)
        return
    for variable, value in zip(optimizer.variables, values, strict=True):
        if value.shape != tuple(variable.shape):
            raise ValueError(f"{source}: optimizer variable {variable.name} has "
                             f"shape {tuple(variable.shape)}, saved {value.shape}.")
        variable.assign(value)


def _is_hdf5(filepath: str) -> bool:
    with open(filepath, "rb") as f:
        return f.read(8) == _HDF5_SIGNATURE


def _optional(name: str, function: str, filepath: str):
    found = get_format_function(name, function)
    if found is None:
        raise ValueError(f"{filepath}: reading or writing this format needs "
                         "`import baro.interop` and h5py (pip install 'baro[h5]').")
    return found


# -- weights ------------------------------------------------------------------------
def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Writes the model's weights: `.weights.safetensors` (any name but
    `.h5`), or `.weights.h5` in Keras 3's layout when h5py is installed."""
    filepath = os.fspath(filepath)
    _check_overwrite(filepath, overwrite)
    if filepath.endswith((".h5", ".hdf5")):
        _optional("weights_h5", "save", filepath)(model, filepath)
        return
    arrays, metadata = _weight_arrays(model, include_optimizer=False)
    safetensors.save_file(arrays, filepath, metadata)


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Assigns weights from `save_weights`'s file, a saved model file, or (with
    h5py) a Keras `.weights.h5` / `.h5` file. Weights are matched by order;
    shapes are checked.

    Raises:
        ValueError: If the file is malformed or its weights do not fit.
    """
    filepath = os.fspath(filepath)
    if _is_hdf5(filepath):
        _optional("weights_h5", "load", filepath)(model, filepath, skip_mismatch)
        return
    try:
        archive = SafeArchive(filepath)
    except ValueError:
        archive = None
    if archive is None:
        arrays, _ = safetensors.load_file(filepath)
    else:
        with archive:
            if _WEIGHTS not in archive:
                raise ValueError(f"{filepath}: no {_WEIGHTS} inside (a Keras "
                                 "file? load it with baro.models.load_model).")
            arrays, _ = safetensors.loads(archive.read(_WEIGHTS), copy=False)
    _assign(model, _split(arrays)[0], skip_mismatch, filepath)


# -- whole models --------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True,
               include_optimizer: bool = True) -> None:
    """Writes architecture, weights, compile settings and optimizer state.

    `.baro` gives baro's format. `.keras` gives a Keras 3 file (Keras can
    load it) when h5py is installed, else baro's format under that name with a
    warning (baro still loads it).

    Raises:
        ValueError: For other extensions (`.h5` writing is not supported).
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith((".baro", ".keras")):
        raise ValueError(f"Invalid filepath extension for saving {filepath!r}: use "
                         "`.baro` (baro's format) or `.keras` (Keras 3's). Weights "
                         "alone: model.save_weights('x.weights.safetensors').")
    _check_overwrite(filepath, overwrite)
    if filepath.endswith(".keras"):
        writer = get_format_function("keras", "save")
        reason = writer and writer(model, filepath, include_optimizer)
        if reason is None and writer is not None:
            return
        warnings.warn(f"{filepath}: written in baro's format, which Keras itself "
                      f"cannot read ({reason or 'h5py is not installed'}); baro "
                      "loads it either way. Name it .baro to silence this.",
                      UserWarning, stacklevel=3)
    config = serialize(model)
    build = model.get_build_config() if hasattr(model, "get_build_config") else None
    compile_config = model.compile_config() if hasattr(model, "compile_config") \
        else None
    arrays, metadata = _weight_arrays(model, include_optimizer)
    info = {"format": "baro-model", "format_version": FORMAT_VERSION,
            "baro_version": _version(), "keras_version": "3 (baro)",
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    config = {**config, "build_config": build, "compile_config": compile_config,
              "baro_version": info["baro_version"],
              "format_version": FORMAT_VERSION}
    write_archive(filepath, {
        "metadata.json": json.dumps(info).encode(),
        "config.json": json.dumps(config, indent=1).encode(),
        _WEIGHTS: lambda stream: safetensors.write(stream, arrays, metadata)},
        stored=(_WEIGHTS,))


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


def _compile(model, compile_config: dict, custom_objects) -> None:
    optimizer = compile_config.get("optimizer")
    if isinstance(optimizer, dict):
        optimizer = deserialize(optimizer, custom_objects, "optimizer")
    model.compile(optimizer=optimizer, **{
        key: _deserialize_nested(compile_config.get(key), custom_objects)
        for key in ("loss", "loss_weights", "metrics", "weighted_metrics")})


def _rebuild(config: dict, arrays: dict, filepath: str, custom_objects,
             compile: bool):
    model_values, optimizer_values = _split(arrays)
    if not isinstance(config, dict):
        raise ValueError(f"{filepath}: config.json is not a JSON object.")
    if config.get("format_version", 1) > FORMAT_VERSION:
        raise ValueError(f"{filepath} was written by baro "
                         f"{config.get('baro_version')} (format "
                         f"{config.get('format_version')}); upgrade baro to load it.")
    compile_config = config.get("compile_config")
    build_config = config.get("build_config")
    spec = {k: config[k] for k in ("module", "class_name", "config") if k in config}
    model = deserialize(spec, custom_objects, "model")
    if not getattr(model, "built", True) and build_config and \
            hasattr(model, "build_from_config"):
        model.build_from_config(build_config)
    if not getattr(model, "built", True) and model_values:
        raise ValueError(f"{filepath}: the restored model is not built, so its "
                         "weights cannot be assigned; build it (or call it once) "
                         "before saving.")
    _assign(model, model_values, False, filepath)
    if compile and isinstance(compile_config, dict) and hasattr(model, "compile"):
        _compile(model, compile_config, custom_objects)
        _restore_optimizer(model, optimizer_values, filepath)
    return model


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuilds a model saved by `save_model` (or, via `baro.interop`, by Keras).

    Nothing from the file is executed or imported: class names resolve through
    the registry, `custom_objects` and `custom_object_scope` only; a file whose
    config asks for more weight memory than its weights hold is refused before
    allocating. Training resumes where it stopped (optimizer state included).

    Args:
        filepath: A `.baro` or `.keras` file (or a Keras 2 `.h5` with h5py).
        custom_objects: Name -> class/function for your registered objects.
        compile: Whether to compile with the saved settings and restore the
            optimizer state.
        safe_mode: Keep True for files you did not write: `Lambda` layers (which
            would run a function) are then refused.

    Raises:
        ValueError: If the file is malformed, crafted, or names an unknown class.
    """
    filepath = os.fspath(filepath)
    if not os.path.isfile(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}.")
    if _is_hdf5(filepath):
        return _optional("keras_h5", "load", filepath)(
            filepath, custom_objects=custom_objects, compile=compile,
            safe_mode=safe_mode)
    with SafeArchive(filepath, required=("config.json",)) as archive:
        if _WEIGHTS not in archive:
            if "model.weights.h5" in archive:
                return _optional("keras", "load", filepath)(
                    filepath, custom_objects=custom_objects, compile=compile,
                    safe_mode=safe_mode)
            raise ValueError(f"{filepath}: the archive lacks {_WEIGHTS}.")
        raw_config = archive.read("config.json", limit=_CONFIG_LIMIT)
        raw_weights = archive.read(_WEIGHTS)
    arrays, _ = safetensors.loads(raw_weights, copy=False)  # assign copies
    try:
        config = json.loads(raw_config)
    except (ValueError, RecursionError) as err:
        raise ValueError(f"{filepath}: config.json is not valid JSON ({err}).") \
            from None
    weight_bytes = sum(a.nbytes for k, a in arrays.items()
                       if not k.startswith(_OPTIMIZER))
    budget = AllocationBudget(weight_bytes + (1 << 16),
                              max(256 << 20, 4 * len(raw_weights)), filepath)
    with SafeModeScope(safe_mode), CustomObjectScope(custom_objects), budget:
        try:
            return _rebuild(config, arrays, filepath, custom_objects, compile)
        except Exception as err:  # noqa: BLE001
            # The config is untrusted data: whatever it made a constructor trip
            # over (TypeError, KeyError, MemoryError, ...) is reported as a bad
            # file, with the cause chained for debugging.
            if isinstance(err, ValueError) and str(err).startswith(filepath):
                raise
            raise ValueError(f"{filepath}: cannot rebuild the model from its "
                             f"config ({type(err).__name__}: {err}).") from err


# -- JSON ---------------------------------------------------------------------------
def model_to_json(model, **kwargs) -> str:
    """The architecture as a JSON string (no weights), as `Model.to_json`."""
    return json.dumps({**serialize(model), "keras_version": "3 (baro)",
                       "backend": "numpy", "baro_version": _version()}, **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """Builds a model (fresh weights) from `to_json`'s string, in safe mode.

    Raises:
        ValueError: If the string is not such a config, or names unknown classes.
    """
    try:
        config = json.loads(json_string)
    except (ValueError, RecursionError) as err:
        raise ValueError(f"model_from_json: not valid JSON ({err}).") from None
    if not isinstance(config, dict):
        raise ValueError("model_from_json: expected a JSON object from to_json().")
    spec = {k: config[k] for k in ("module", "class_name", "config") if k in config}
    with SafeModeScope(True), CustomObjectScope(custom_objects):
        return deserialize(spec, custom_objects, "model")


# -- export --------------------------------------------------------------------------
def export_model(model, filepath, format: str = "onnx", **kwargs) -> None:
    """`Model.export`: hands the model to the registered exporter of `format`.

    Raises:
        ValueError: For a format no exporter is registered for.
    """
    exporter = get_format_function(format, "export")
    if exporter is None:
        known = [n for n in format_names("export") if n not in ("keras", "keras_h5",
                                                               "weights_h5")]
        raise ValueError(f"Model.export: unknown format {format!r}; baro exports "
                         f"{known or ['onnx']} (TF SavedModel is not supported).")
    exporter(model, os.fspath(filepath), **kwargs)
