"""Image files: load, convert, save, and read a folder of images per class.

Keras's `keras.utils.image_utils` names, gathered from the two modules that
implement them: `image_io.py` (`load_img`, `img_to_array`, `array_to_img`,
`save_img`) and `image_dataset.py` (`image_dataset_from_directory`). Pillow is
an optional extra (`pip install 'baro[image]'`), imported only when a function
runs, so `import baro` never needs it.
"""

from __future__ import annotations

from baro.utils.image_dataset import ImageFolderDataset, image_dataset_from_directory
from baro.utils.image_io import (
    ALLOWLIST_FORMATS,
    array_to_img,
    img_to_array,
    load_img,
    save_img,
)

__all__ = [
    "ALLOWLIST_FORMATS",
    "ImageFolderDataset",
    "array_to_img",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "save_img",
]
