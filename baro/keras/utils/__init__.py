"""`keras.utils` (and Keras 2's `keras.utils.np_utils` / `vis_utils` modules,
so `from baro.keras.utils import np_utils` works as in Keras 2 code)."""

from baro.keras.utils import np_utils, vis_utils
from baro.keras.utils.np_utils import normalize, to_categorical
from baro.keras.utils.vis_utils import plot_model
from baro.saving import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_object,
)
from baro.saving import deserialize as deserialize_keras_object
from baro.saving import register_serializable as register_keras_serializable
from baro.saving import registered_name as get_registered_name
from baro.saving import serialize as serialize_keras_object
from baro.utils import (
    Progbar,
    PyDataset,
    Sequence,
    array_to_img,
    get_file,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    pad_sequences,
    save_img,
    set_random_seed,
    split_dataset,
    timeseries_dataset_from_array,
)

__all__ = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
    "get_custom_objects", "get_registered_name", "get_registered_object",
    "register_keras_serializable", "serialize_keras_object",
    "Progbar", "PyDataset", "Sequence", "array_to_img", "get_file",
    "image_dataset_from_directory", "img_to_array", "load_img", "normalize",
    "pad_sequences", "plot_model", "save_img", "set_random_seed", "split_dataset",
    "timeseries_dataset_from_array", "to_categorical",
]
