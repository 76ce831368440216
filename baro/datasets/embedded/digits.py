"""Handwritten digits, 8x8: a small real image dataset that ships with baro.

The data are the 1,797 test-set images of the UCI "Optical Recognition of
Handwritten Digits" dataset (E. Alpaydin and C. Kaynak, 1998), as carried by
scikit-learn (`sklearn/datasets/data/digits.csv.gz`). 32x32 bitmaps of digits
written by 13 people were divided into 4x4 blocks and the "on" pixels of each
block counted, so every image is 8x8 with integer values 0..16.

Source: https://archive.ics.uci.edu/dataset/80 (doi:10.24432/C50P49).
License: Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/. Attribution: Alpaydin, E. and
Kaynak, C. (1998). Optical Recognition of Handwritten Digits [Dataset]. UCI
Machine Learning Repository. baro stores the pixels and labels unchanged (as
uint8 arrays in `digits.npz`) and adds a fixed train/test split; see
`LICENSE-digits.txt` beside this file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).with_name("digits.npz")
NUM_SAMPLES = 1797
NUM_TEST = 360
CITATION = ("Alpaydin, E. and Kaynak, C. (1998). Optical Recognition of "
            "Handwritten Digits [Dataset]. UCI Machine Learning Repository. "
            "https://doi.org/10.24432/C50P49 (CC BY 4.0)")


def _read() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not DATA_FILE.exists():
        raise FileNotFoundError(
            f"The embedded digits file {DATA_FILE} is missing: the baro install "
            "is incomplete. Reinstall baro (the wheel ships digits.npz).")
    # allow_pickle=False: the file holds plain uint8 arrays, nothing executable.
    with np.load(DATA_FILE, allow_pickle=False) as data:
        return data["images"], data["labels"], data["test_index"]


def load_digits(return_images: bool = False, split: bool = True):
    """Loads the 8x8 handwritten digits (1,797 images, classes 0..9).

    The fixed split puts 360 images in the test set (36 of each digit, drawn
    once with `np.random.RandomState(0)` and stored in the data file as
    `test_index`) and the other 1,437 in the training set; both keep the
    file's order. Pixel values are integers 0..16: divide by 16 to scale them
    to [0, 1].

    Data: UCI "Optical Recognition of Handwritten Digits", Alpaydin & Kaynak
    (1998), CC BY 4.0 (see the module docstring for the full attribution).

    Args:
        return_images: If True, x has shape (n, 8, 8) (add a channel axis with
            `x[..., None]` for Conv2D); if False (default), (n, 64), one row of
            64 features per image, ready for Dense layers.
        split: If True (default), return `(x_train, y_train), (x_test,
            y_test)`; if False, return `(x, y)` with all 1,797 samples in file
            order.

    Returns:
        x arrays of dtype uint8 (values 0..16) and y arrays of shape (n,) and
        dtype uint8 (the digit), split as described above.

    Raises:
        FileNotFoundError: If the package's data file is missing.

    Example:
        >>> from baro.datasets.embedded import load_digits
        >>> (x_train, y_train), (x_test, y_test) = load_digits()
        >>> x_train.shape, x_test.shape, int(x_train.max())
        ((1437, 64), (360, 64), 16)
        >>> (x, y), _ = load_digits(return_images=True)
        >>> x.shape, y[:5].tolist()
        ((1437, 8, 8), [0, 1, 2, 4, 5])
    """
    images, labels, test_index = _read()
    x = images if return_images else images.reshape(len(images), 64)
    if not split:
        return x, labels
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test_index] = True
    return (x[~is_test], labels[~is_test]), (x[is_test], labels[is_test])


def load_data():
    """Keras-style entry point: the digits as images, like `mnist.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x of shape (n, 8, 8) uint8 with
        values 0..16, y of shape (n,) uint8; 1,437 training and 360 test images
        (the split of `load_digits`).

    Example:
        >>> from baro.datasets.embedded import digits
        >>> (x_train, y_train), (x_test, y_test) = digits.load_data()
        >>> x_train.shape, y_test.shape
        ((1437, 8, 8), (360,))
    """
    return load_digits(return_images=True)
