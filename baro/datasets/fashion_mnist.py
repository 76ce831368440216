"""Fashion-MNIST: 60,000 training and 10,000 test images of clothes, 28x28 uint8.

The copyright for Fashion-MNIST is held by Zalando SE; it is licensed under the
MIT license (https://github.com/zalandoresearch/fashion-mnist).
"""

from __future__ import annotations

import os
from pathlib import Path

from baro.datasets.common import KERAS_ORIGIN, npz_arrays
from baro.datasets.idx import IDX_NAMES, load_idx_split
from baro.utils.file_utils import DownloadError, get_file

__all__ = ["CLASS_NAMES", "FILE_HASHES", "load_data"]

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
               "Shirt", "Sneaker", "Bag", "Ankle boot")
# SHA-256 of each archive, as Keras pins them.
FILE_HASHES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
# Zalando's own host of the same files is the mirror.
MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")


def load_data(path: str | os.PathLike | None = None):
    """Loads Fashion-MNIST as `(x_train, y_train), (x_test, y_test)`.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot (`CLASS_NAMES`).

    Args:
        path: None (Keras's behaviour: the four IDX `.gz` files are downloaded
            into `$BARO_HOME/datasets/fashion-mnist` and SHA-256-checked), a
            folder holding the original IDX files, or an `.npz` file with
            Keras's keys (`x_train`, `y_train`, `x_test`, `y_test`). User files
            are not hash-checked. (An extension: Keras takes no `path`.)

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x uint8 (n, 28, 28), y uint8
        (n,); the full set has 60,000 training and 10,000 test images.

    Raises:
        FileNotFoundError: If `path` is missing or lacks the IDX files.
        DownloadError: If the files are not cached and cannot be downloaded
            (the message names the four files and the folder for them).
    """
    if path is None:
        folder = _download_all()
    else:
        folder = Path(os.path.expanduser(os.fspath(path)))
        if not folder.exists():
            raise FileNotFoundError(
                f"No file or folder at {folder}; pass a folder of Fashion-MNIST "
                "IDX files, a .npz file, or path=None to download.")
        if folder.is_file():
            arrays = npz_arrays(folder, ("x_train", "y_train", "x_test", "y_test"))
            return ((arrays["x_train"], arrays["y_train"]),
                    (arrays["x_test"], arrays["y_test"]))
    return (load_idx_split(folder, "train", "Fashion-MNIST"),
            load_idx_split(folder, "test", "Fashion-MNIST"))


def _download_all() -> Path:
    names = [stem + ".gz" for pair in IDX_NAMES.values() for stem in pair]
    folder = None
    for name in names:
        try:
            path = get_file(name, origin=[KERAS_ORIGIN + name, MIRROR + name],
                            file_hash=FILE_HASHES[name], cache_subdir=CACHE_SUBDIR)
        except DownloadError as err:
            raise DownloadError(
                f"{err} Fashion-MNIST needs all four files {names} in one folder "
                "(the cache folder above), or pass path=<a folder holding them> "
                "to load_data.") from err
        folder = Path(path).parent
    return folder
