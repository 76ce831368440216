"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled by
sentiment, each a list of word indices (most frequent word = 1).

From Maas et al., "Learning Word Vectors for Sentiment Analysis" (ACL 2011),
https://ai.stanford.edu/~amaas/data/sentiment/; preprocessed by Keras.
"""

from __future__ import annotations

import os

import numpy as np

from baro.datasets.common import KERAS_ORIGIN, local_or_download, npz_arrays
from baro.datasets.sequences import (
    limit_vocabulary,
    mark_and_offset,
    object_array,
    read_word_index,
    remove_long_seq,
)

__all__ = ["get_word_index", "load_data"]

ORIGIN = [KERAS_ORIGIN + "imdb.npz",
          "https://s3.amazonaws.com/text-datasets/imdb.npz"]
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = [KERAS_ORIGIN + "imdb_word_index.json",
                     "https://s3.amazonaws.com/text-datasets/imdb_word_index.json"]
# Keras pins the word index by MD5 (a legacy pin; no SHA-256 is published).
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(path: str | os.PathLike = "imdb.npz", num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3):
    """Loads the IMDB reviews as `(x_train, y_train), (x_test, y_test)`.

    Keras's preparation, step by step: each split is shuffled with
    one `RandomState(seed)` (training split first, then test); every index
    is shifted by `index_from` and `start_char` is prepended; with `maxlen`,
    reviews of `maxlen` words or more are dropped; indices outside
    `[skip_top, num_words)` become `oov_char` (or are removed when it is None).

    Args:
        path: A cache file name (default `"imdb.npz"`: downloaded and
            SHA-256-checked on first use) or an existing Keras `.npz` file
            (keys `x_train`, `y_train`, `x_test`, `y_test`; not hash-checked).
            Its object arrays are read without running pickled code.
        num_words: Keep the `num_words` most frequent words (None: all).
        skip_top: Also replace the `skip_top` most frequent words.
        maxlen: Drop sequences of `maxlen` or more indices (None: keep all).
        seed: Seed of the shuffles.
        start_char: Index marking the start of each review (None: no marker).
        oov_char: Index replacing cut words (None: cut words are removed).
        index_from: Offset added to every word index (0 pads, 1 starts, 2 is
            out-of-vocabulary by default).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x 1-D object arrays of Python
        int lists, y integer arrays of 0 (negative) / 1 (positive).

    Raises:
        ValueError: If `maxlen` leaves a split empty, or the file lacks keys.
        FileNotFoundError: If `path` names a missing file.
        DownloadError: If the file is not cached and cannot be downloaded.
    """
    arrays = npz_arrays(local_or_download(path, ORIGIN, SHA256),
                        ("x_train", "y_train", "x_test", "y_test"))
    # One generator shuffles the training split, then (continuing) the test one.
    rng = np.random.RandomState(seed)
    order = np.arange(len(arrays["x_train"]))
    rng.shuffle(order)
    x_train, labels_train = arrays["x_train"][order], arrays["y_train"][order]
    order = np.arange(len(arrays["x_test"]))
    rng.shuffle(order)
    x_test, labels_test = arrays["x_test"][order], arrays["y_test"][order]

    x_train = mark_and_offset(x_train, start_char, index_from)
    x_test = mark_and_offset(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"No review is shorter than maxlen={maxlen}; "
                             "increase maxlen.")
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    n = len(x_train)
    return ((object_array(xs[:n]), labels[:n]),
            (object_array(xs[n:]), labels[n:]))


def get_word_index(path: str | os.PathLike = "imdb_word_index.json") -> dict[str, int]:
    """The word -> index dict of the IMDB reviews (most frequent word = 1).

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
