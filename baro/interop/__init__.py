"""Keras interop: read Keras 3 `.keras` and Keras 2 `.h5` models, write `.keras`.

Files are data, never code: layer classes come from an explicit table
(`layer_map.SUPPORTED`), Lambda layers are refused, what a config may allocate
is capped by what the file holds, and every array is checked against the layer
it fills before it is read. Reading and writing weights needs the optional
`h5py` package (`pip install baro[h5]`); importing this package does not.

- `load_keras(path)` / `save_keras(model, path)`: Keras 3 `.keras` archives.
- `load_keras_weights` / `save_keras_weights`: Keras 3 `.weights.h5` files.
- `load_keras2_h5(path)` / `load_keras2_weights(model, path)`: tf.keras 2 HDF5.

Importing the package also registers these as the "keras", "keras_h5" and
"weights_h5" formats of `baro.saving`, so `model.save("m.keras")`,
`baro.models.load_model("m.h5")` and `model.load_weights("w.h5")` use them.
"""

from baro.interop.keras2_h5 import (
    is_keras2_layout,
    load_keras2_h5,
    load_keras2_weights,
)
from baro.interop.keras_format import (
    load_keras,
    load_keras_weights,
    save_keras,
    save_keras_weights,
)
from baro.saving.formats import register_format


def _save_keras_format(model, filepath, include_optimizer: bool = True):
    """`model.save("m.keras")`: None once written, else why Keras's format cannot
    hold the model (saving then falls back to baro's format)."""
    try:
        save_keras(model, filepath, include_optimizer=include_optimizer)
    except ImportError:
        return "h5py is not installed"
    except ValueError as err:
        return str(err)
    return None


def _load_weights_h5(model, filepath, skip_mismatch: bool = False) -> None:
    """`model.load_weights("w.h5")`: Keras 2 files by `layer_names`, Keras 3
    `.weights.h5` files by their `layers/<key>/vars` groups."""
    if is_keras2_layout(filepath):
        load_keras2_weights(model, filepath, skip_mismatch=skip_mismatch)
    else:
        load_keras_weights(model, filepath, skip_mismatch=skip_mismatch)


register_format("keras", save=_save_keras_format, load=load_keras)
register_format("keras_h5", load=load_keras2_h5)
register_format("weights_h5", save=save_keras_weights, load=_load_weights_h5)

__all__ = ["load_keras", "load_keras2_h5", "load_keras2_weights",
           "load_keras_weights", "save_keras", "save_keras_weights"]
