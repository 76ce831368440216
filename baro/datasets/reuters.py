"""Reuters newswires: 11,228 stories labelled over 46 topics, each a list of
word indices (most frequent word = 1).

Derived by Keras from the Reuters-21578 collection (David D. Lewis,
https://kdd.ics.uci.edu/databases/reuters21578/reuters21578.html).
"""

from __future__ import annotations

import os

import numpy as np

from baro.datasets.common import (
    KERAS_ORIGIN,
    check_test_split,
    keras_shuffle,
    local_or_download,
    npz_arrays,
)
from baro.datasets.sequences import (
    limit_vocabulary,
    mark_and_offset,
    object_array,
    read_word_index,
    remove_long_seq,
)

__all__ = ["get_label_names", "get_word_index", "load_data"]

ORIGIN = [KERAS_ORIGIN + "reuters.npz",
          "https://s3.amazonaws.com/text-datasets/reuters.npz"]
SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = [KERAS_ORIGIN + "reuters_word_index.json",
                     "https://s3.amazonaws.com/text-datasets/reuters_word_index.json"]
# Keras pins the word index by MD5 (a legacy pin; no SHA-256 is published).
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton",
    "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal",
    "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
    "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
)


def load_data(path: str | os.PathLike = "reuters.npz", num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None,
              test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3):
    """Loads the Reuters newswires as `(x_train, y_train), (x_test, y_test)`.

    Keras's preparation: the stories are shuffled with `RandomState(seed)`;
    every index is shifted by `index_from` and `start_char` is prepended; with
    `maxlen`, stories of `maxlen` words or more are dropped; indices outside
    `[skip_top, num_words)` become `oov_char`; the first
    `int(n * (1 - test_split))` stories train, the rest test.

    Args:
        path: A cache file name (default `"reuters.npz"`: downloaded and
            SHA-256-checked on first use) or an existing Keras `.npz` file
            (keys `x`, `y`; not hash-checked). Its object arrays are read
            without running pickled code.
        num_words: Keep the `num_words` most frequent words (None: all).
        skip_top: Also replace the `skip_top` most frequent words.
        maxlen: Drop sequences of `maxlen` or more indices (None: keep all).
        test_split: Fraction of the stories for the test set, in [0, 1).
        seed: Seed of the shuffle.
        start_char: Index marking the start of each story (None: no marker).
        oov_char: Index replacing cut words (None: cut words are removed).
        index_from: Offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x 1-D object arrays of Python
        int lists, y integer arrays of topic indices 0-45 (`get_label_names`).

    Raises:
        ValueError: If `test_split` is outside [0, 1) or the file lacks keys.
        FileNotFoundError: If `path` names a missing file.
        DownloadError: If the file is not cached and cannot be downloaded.
    """
    check_test_split(test_split)
    arrays = npz_arrays(local_or_download(path, ORIGIN, SHA256), ("x", "y"))
    order = keras_shuffle(len(arrays["x"]), seed)
    xs = mark_and_offset(arrays["x"][order], start_char, index_from)
    labels = arrays["y"][order]
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((object_array(xs[:cut]), np.array(labels[:cut])),
            (object_array(xs[cut:]), np.array(labels[cut:])))


def get_word_index(path: str | os.PathLike = "reuters_word_index.json",
                   ) -> dict[str, int]:
    """The word -> index dict of the Reuters stories (most frequent word = 1).

    Indices in `load_data`'s sequences are these plus `index_from` (3).

    Args:
        path: A cache file name (default: downloaded and MD5-checked, as Keras
            pins it) or an existing JSON file.

    Returns:
        A dict from word to index.

    Raises:
        ValueError: If the file is not such a JSON object.
        DownloadError: If the file is not cached and cannot be downloaded.
    """
    return read_word_index(path, WORD_INDEX_ORIGIN, WORD_INDEX_MD5)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed as the labels of `load_data`.

    Returns:
        A tuple of strings.

    Example:
        >>> get_label_names()[:3]
        ('cocoa', 'grain', 'veg-oil')
    """
    return LABEL_NAMES
