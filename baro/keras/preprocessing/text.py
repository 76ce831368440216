"""`keras.preprocessing.text` (Keras 2): `Tokenizer`, `text_to_word_sequence`,
`one_hot`, `hashing_trick` and `tokenizer_from_json`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from baro.utils.text import (
    DEFAULT_FILTERS,
    Tokenizer,
    text_to_word_sequence,
    tokenizer_from_json,
)


def _md5(word: str) -> int:
    return int(hashlib.md5(word.encode()).hexdigest(), 16)  # noqa: S324 - a hash, not security


def hashing_trick(text: str, n: int, hash_function: Callable | str | None = None,
                  filters: str = DEFAULT_FILTERS, lower: bool = True,
                  split: str = " ", analyzer: Callable | None = None) -> list[int]:
    """Each word of `text` as an index in `[1, n - 1]` by hashing (Keras 2).

    Index = `hash_function(word) % (n - 1) + 1`, so 0 stays free for padding.
    Different words may share an index (hash collisions).

    Args:
        text: The text.
        n: The hashing space size; indices fall in `1 .. n - 1`.
        hash_function: None (Python's `hash`, which changes between runs for
            strings unless PYTHONHASHSEED is set, as in Keras), "md5" (stable),
            or any function from a string to an int.
        filters, lower, split: As in `text_to_word_sequence`.
        analyzer: Optional function text -> list of words, replacing the
            filters/lower/split pipeline.

    Returns:
        A list of ints, one per word.

    Raises:
        ValueError: If `n` < 2.

    Example:
        >>> from baro.keras.preprocessing.text import hashing_trick
        >>> hashing_trick("The cat saw the dog", 1000, hash_function="md5")
        [132, 759, 624, 132, 168]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"hashing_trick: n must be an integer >= 2 (indices fall "
                         f"in 1 .. n - 1), received {n!r}.")
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5
    elif not callable(hash_function):
        raise ValueError(f"hashing_trick: hash_function must be None, 'md5' or a "
                         f"function, received {hash_function!r}.")
    if analyzer is None:
        words = text_to_word_sequence(text, filters=filters, lower=lower,
                                      split=split)
    else:
        words = analyzer(text)
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(input_text: str, n: int, filters: str = DEFAULT_FILTERS,
            lower: bool = True, split: str = " ",
            analyzer: Callable | None = None) -> list[int]:
    """Keras 2's `one_hot`: despite the name, the words' integer indices,
    `hashing_trick(input_text, n, hash_function=hash, ...)` (Python's string
    hash, which varies between runs unless PYTHONHASHSEED is set).

    Example:
        >>> from baro.keras.preprocessing.text import one_hot
        >>> codes = one_hot("a b a", 50)
        >>> len(codes), codes[0] == codes[2], all(1 <= c < 50 for c in codes)
        (3, True, True)
    """
    return hashing_trick(input_text, n, hash_function=hash, filters=filters,
                         lower=lower, split=split, analyzer=analyzer)


__all__ = ["Tokenizer", "hashing_trick", "one_hot", "text_to_word_sequence",
           "tokenizer_from_json"]
