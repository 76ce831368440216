"""Level 0: helpers that know nothing of tensors: seeding, naming, progress bar,
downloads, batches of data, one-hot labels, splitting, padding, images, text.

Only seeding is imported with the package (every layer below uses it); the rest
loads on first use (`baro.utils.to_categorical`, `from baro.utils import
get_file`), so `import baro` does not pay for tarfile, zipfile, hashlib, json or
the image helpers.
"""

from importlib import import_module

from baro.utils.seeding import get_random_seed, set_random_seed

# Public name -> the submodule that defines it.
_LAZY = {
    "split_dataset": "data_utils", "train_test_split": "data_utils",
    "PyDataset": "dataset", "Sequence": "dataset",
    "get_file": "file_utils",
    "array_to_img": "image_utils", "image_dataset_from_directory": "image_utils",
    "img_to_array": "image_utils", "load_img": "image_utils", "save_img": "image_utils",
    "normalize": "numerical_utils", "to_categorical": "numerical_utils",
    "Progbar": "progbar",
    "pad_sequences": "sequence_utils",
    "timeseries_dataset_from_array": "sequence_utils",
    "Tokenizer": "text", "text_to_word_sequence": "text",
}

__all__ = sorted([*_LAZY, "get_random_seed", "set_random_seed"])


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'baro.utils' has no attribute {name!r}")
    value = getattr(import_module(f"baro.utils.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
