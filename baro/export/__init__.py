"""Export models for inference elsewhere: ONNX (`baro.export.onnx`).

The ONNX file holds the inference graph (Dropout is the identity,
BatchNormalization uses its moving statistics) with the current weights, a
dynamic batch axis, inputs named after the model's Input layers and outputs after
its output layers; onnxruntime or any ONNX runtime runs it without baro. Needs
the optional extra: `pip install 'baro[onnx]'` (the `onnx` package; tests also
use `onnxruntime`). Importing `baro.export` does not import `onnx`.

Only Sequential and Functional models export (subclassed models record no
graph); the supported layers are listed by `supported_layers()`, and anything
else is refused by name.
"""

from __future__ import annotations

import os

from baro.saving.formats import register_format

_FORMATS = ("onnx",)


def onnx(model, path: str | os.PathLike, opset: int = 17):
    """Writes `model` as an ONNX file at `path` (atomically).

    Args:
        model: A built Sequential or Functional model.
        path: The file to write (conventionally `*.onnx`); an existing file is
            replaced only once the new one is complete.
        opset: ONNX opset version (default 17; 13 up to the installed onnx's).

    Returns:
        The `onnx.ModelProto` written.

    Raises:
        ImportError: If the `onnx` package is missing.
        ValueError: For a subclassed or unbuilt model, a layer, activation or
            option without an ONNX form (named, with the supported list), or a
            bad opset.

    Example:
        >>> import baro
        >>> model = baro.keras.Sequential([baro.keras.Input(shape=(4,)),
        ...                                baro.keras.layers.Dense(2)])
        >>> baro.export.onnx(model, "model.onnx")  # doctest: +SKIP
    """
    from baro.export.onnx_convert import export_onnx

    return export_onnx(model, path, opset=opset)


def export_model(model, filepath: str | os.PathLike, format: str = "onnx",
                 verbose: bool | None = None, input_signature=None,
                 **kwargs) -> None:
    """What `Model.export(filepath, format="onnx")` does (Keras 3's signature).

    Args:
        model: A built Sequential or Functional model.
        filepath: The file to write.
        format: Only "onnx" (Keras's other formats need TensorFlow or OpenVINO).
        verbose: Print where the file went (default None: quiet).
        input_signature: Only None: the inputs come from the model's Input
            layers, with a dynamic batch axis.
        **kwargs: `opset_version` (Keras's name for the ONNX opset, default 17).

    Raises:
        ValueError: For another format, an input_signature, unknown keyword
            arguments, or anything `baro.export.onnx` refuses.
        ImportError: If the `onnx` package is missing.
    """
    if format not in _FORMATS:
        raise ValueError(f"export: format must be one of {list(_FORMATS)}, "
                         f"received format={format!r}.")
    if input_signature is not None:
        raise ValueError(
            "export: input_signature is not supported; the exported inputs are "
            "the model's Input layers (shapes from keras.Input, batch dynamic).")
    opset = kwargs.pop("opset_version", None)
    if kwargs:
        raise ValueError(f"export: unexpected keyword arguments {sorted(kwargs)}; "
                         "format='onnx' takes opset_version.")
    onnx(model, filepath, opset=17 if opset is None else opset)
    if verbose:
        print(f"Saved the ONNX model to {os.fspath(filepath)!r}.")


def supported_layers() -> list[str]:
    """Names of the layer classes the ONNX export converts (imports baro's
    layers, not `onnx`).

    Example:
        >>> from baro.export import supported_layers
        >>> "Dense" in supported_layers() and "LSTM" in supported_layers()
        True
    """
    from baro.export.onnx_convert import supported_layers as names

    return names()


def _export_onnx_format(model, filepath, **kwargs) -> None:
    export_model(model, filepath, format="onnx", **kwargs)


# `Model.export(path, format="onnx")` reaches the exporter through the saving
# registry: models/ sits below this namespace and cannot import it.
register_format("onnx", export=_export_onnx_format)

__all__ = ["export_model", "onnx", "supported_layers"]
