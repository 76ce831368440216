"""Word-index sequences as Keras's `imdb` and `reuters` loaders prepare them."""

from __future__ import annotations

import json
import os

import numpy as np

from baro.datasets.common import local_or_download


def mark_and_offset(xs, start_char: int | None, index_from: int) -> list[list[int]]:
    """Shifts every word index by `index_from` and prepends `start_char`.

    Example:
        >>> mark_and_offset([[1, 2], [5]], start_char=1, index_from=3)
        [[1, 4, 5], [1, 8]]
    """
    start = [] if start_char is None else [start_char]
    return [start + [int(w) + index_from for w in x] for x in xs]


def remove_long_seq(maxlen: int, seq, label):
    """Keeps the sequences strictly shorter than `maxlen` (Keras's rule), and
    their labels.

    Example:
        >>> remove_long_seq(3, [[1, 2], [1, 2, 3]], [0, 1])
        ([[1, 2]], [0])
    """
    kept = [(x, y) for x, y in zip(seq, label, strict=True) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words: int | None, skip_top: int,
                     oov_char: int | None) -> list[list[int]]:
    """Replaces (or, with `oov_char=None`, drops) indices outside
    `[skip_top, num_words)`.

    Without `num_words`, Keras uses the largest index present as the bound, so
    that one (rarest) index also becomes `oov_char`; this quirk is kept so
    results match Keras exactly.

    Example:
        >>> limit_vocabulary([[1, 5, 9]], num_words=6, skip_top=2, oov_char=2)
        [[2, 5, 2]]
    """
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x]
                for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(xs) -> np.ndarray:
    """A 1-D object array of lists (one per sample), as Keras returns.

    `np.array(xs, dtype=object)` would build a 2-D array when all lists happen
    to have the same length; this always gives shape (len(xs),).

    Example:
        >>> object_array([[1, 2], [3, 4]]).shape
        (2,)
    """
    out = np.empty(len(xs), dtype=object)
    for i, x in enumerate(xs):
        out[i] = x
    return out


def read_word_index(path, origin: str | list[str], file_hash: str) -> dict[str, int]:
    """A word -> index dict from a JSON file (user's, or cached/downloaded).

    Raises:
        ValueError: If the JSON is not an object of integer values.
    """
    source = local_or_download(path, origin, file_hash)
    with open(source, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict) or not all(
            isinstance(v, int) for v in index.values()):
        raise ValueError(f"{os.fspath(source)} is not a word index (a JSON object "
                         "mapping words to integer indices).")
    return index
