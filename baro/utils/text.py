"""Text to integer sequences: the classic Keras `Tokenizer` and its helpers.

The `Tokenizer` of `keras.preprocessing.text` (tf.keras / Keras 2), which
course notebooks and older examples use: fit on texts, then turn texts into
lists of word indices (pad them with `pad_sequences`) or into bag-of-words
matrices. It saves to and loads from JSON, never pickle. For a layer that does
the same inside a pipeline, see `baro.layers.TextVectorization`.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(input_text: str, filters: str = DEFAULT_FILTERS,
                          lower: bool = True, split: str = " ") -> list[str]:
    """Splits a text into words (Keras's function).

    The characters in `filters` become separators, then the text is split on
    `split` and empty strings are dropped.

    Args:
        input_text: The text.
        filters: Characters to remove (default: punctuation, tabs, newlines;
            the apostrophe is kept, as in Keras).
        lower: Lowercase the text first.
        split: The word separator.

    Returns:
        The list of words.

    Example:
        >>> from baro.utils.text import text_to_word_sequence
        >>> text_to_word_sequence("The cat sat on the mat. Isn't it?")
        ['the', 'cat', 'sat', 'on', 'the', 'mat', "isn't", 'it']
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


class Tokenizer:
    """Maps words to integer indices, most frequent word first (Keras's
    `keras.preprocessing.text.Tokenizer`).

    `fit_on_texts` counts the words; `word_index` then numbers them from 1 by
    decreasing count (ties keep the order of first appearance; 0 is never a
    word, so it can pad). With `oov_token`, that token takes index 1 and
    stands in for unknown words. `num_words` keeps only the words with index
    below `num_words` when converting; `word_index` itself keeps them all.

    Args:
        num_words: Keep the `num_words - 1` most frequent words (None: all).
        filters: Characters removed from texts (default: punctuation, tabs
            and newlines).
        lower: Lowercase texts.
        split: Word separator.
        char_level: Treat every character as a token.
        oov_token: If given, a token added to `word_index` at index 1 that
            replaces out-of-vocabulary words in `texts_to_sequences`
            (otherwise they are dropped).
        analyzer: Optional function text -> list of tokens, replacing the
            filters/lower/split pipeline.

    Attributes:
        word_index: dict word -> index. `index_word`: the inverse.
        word_counts: OrderedDict word -> count over all texts.
        word_docs: dict word -> number of texts containing it.
        document_count: Number of texts seen.

    Example:
        >>> from baro.utils.text import Tokenizer
        >>> tokenizer = Tokenizer(oov_token="<unk>")
        >>> tokenizer.fit_on_texts(["the cat sat", "the dog sat down"])
        >>> tokenizer.word_index
        {'<unk>': 1, 'the': 2, 'sat': 3, 'cat': 4, 'dog': 5, 'down': 6}
        >>> tokenizer.texts_to_sequences(["the bird sat"])
        [[2, 1, 3]]
    """

    def __init__(self, num_words: int | None = None, filters: str = DEFAULT_FILTERS,
                 lower: bool = True, split: str = " ", char_level: bool = False,
                 oov_token: str | None = None,
                 analyzer: Callable[[str], list[str]] | None = None,
                 **kwargs) -> None:
        # Keras 1 called num_words nb_words; a saved config may carry counts.
        if "nb_words" in kwargs:
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Tokenizer: unrecognized keyword arguments "
                            f"{sorted(kwargs)}.")
        if num_words is not None and (isinstance(num_words, bool) or
                                      not isinstance(num_words, (int, np.integer))
                                      or num_words < 1):
            raise ValueError(f"Tokenizer: num_words must be None or a positive "
                             f"integer, received {num_words!r}.")
        self.word_counts: OrderedDict[str, int] = OrderedDict()
        self.word_docs: defaultdict[str, int] = defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs: defaultdict[int, int] = defaultdict(int)
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}
        self.analyzer = analyzer

    def _tokens(self, text) -> list[str]:
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) \
                    else text.lower()
            return list(text)
        if self.analyzer is not None:
            return list(self.analyzer(text))
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer expects texts as strings (or lists of "
                            f"tokens), received {type(text).__name__} {text!r}.")
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts: Iterable) -> None:
        """Updates the word counts and rebuilds `word_index` from them.

        Args:
            texts: Strings, or lists of tokens (taken as already split).
        """
        if isinstance(texts, str):
            raise TypeError("fit_on_texts expects a list of texts, received one "
                            "string; wrap it in a list.")
        for text in texts:
            self.document_count += 1
            seq = self._tokens(text)
            for word in seq:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(seq):
                self.word_docs[word] += 1
        # sorted() is stable: equal counts keep their first-appearance order.
        ranked = sorted(self.word_counts.items(), key=lambda kv: kv[1], reverse=True)
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary += [word for word, _ in ranked]
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        self.index_docs = defaultdict(int)
        for word, count in self.word_docs.items():
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences) -> None:
        """Counts documents per index, for `sequences_to_matrix(mode="tfidf")`
        when the tokenizer was not fitted on texts."""
        self.document_count += len(sequences)
        for seq in sequences:
            for index in set(seq):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts: Iterable) -> list[list[int]]:
        """Each text as a list of word indices.

        Words outside `word_index`, or with index >= `num_words`, become the
        `oov_token`'s index if there is one and are dropped otherwise.

        Args:
            texts: Strings, or lists of tokens.

        Returns:
            One list of int per text.
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts: Iterable):
        """Yields `texts_to_sequences`'s lists one text at a time."""
        if isinstance(texts, str):
            raise TypeError("texts_to_sequences expects a list of texts, received "
                            "one string; wrap it in a list.")
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            vector = []
            for word in self._tokens(text):
                index = self.word_index.get(word)
                if index is not None and not (self.num_words and
                                              index >= self.num_words):
                    vector.append(index)
                elif oov_index is not None:
                    vector.append(oov_index)
            yield vector

    def sequences_to_texts(self, sequences) -> list[str]:
        """Index lists back to space-joined texts (unknown indices become the
        `oov_token`, or are dropped without one)."""
        oov_index = self.word_index.get(self.oov_token)
        texts = []
        for seq in sequences:
            words = []
            for index in seq:
                word = self.index_word.get(index)
                if word is not None and not (self.num_words and
                                             index >= self.num_words):
                    words.append(word)
                elif oov_index is not None:
                    words.append(self.index_word[oov_index])
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode: str = "binary") -> np.ndarray:
        """Texts as a (len(texts), num_words) bag-of-words matrix; see
        `sequences_to_matrix` for the modes."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode: str = "binary") -> np.ndarray:
        """Index lists as a bag-of-words matrix (Keras's float64 layout).

        Args:
            sequences: Lists of word indices.
            mode: "binary" (1 where the word occurs), "count", "freq" (count /
                sequence length) or "tfidf" ((1 + log count) * log(1 +
                documents / (1 + documents with the word))).

        Returns:
            float64 array of shape (len(sequences), num_words), num_words
            defaulting to `len(word_index) + 1`; column 0 stays zero.

        Raises:
            ValueError: For an unknown mode, or an unfitted tokenizer without
                `num_words`.
        """
        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError(f'sequences_to_matrix: mode must be "binary", '
                             f'"count", "freq" or "tfidf", received {mode!r}.')
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError("sequences_to_matrix: give the Tokenizer num_words or "
                             "fit it on texts first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("sequences_to_matrix: fit the Tokenizer on texts (or "
                             "sequences) before using mode='tfidf'.")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if not len(seq):
                continue
            counts: dict[int, int] = defaultdict(int)
            for index in seq:
                if index < num_words:
                    counts[index] += 1
            for index, count in counts.items():
                if mode == "count":
                    x[row, index] = count
                elif mode == "freq":
                    x[row, index] = count / len(seq)
                elif mode == "binary":
                    x[row, index] = 1
                else:
                    tf = 1 + np.log(count)
                    idf = np.log(1 + self.document_count /
                                 (1 + self.index_docs.get(index, 0)))
                    x[row, index] = tf * idf
        return x

    def get_config(self) -> dict:
        """The settings and fitted counts, JSON-ready (Keras's layout: the
        dicts are themselves JSON strings)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """The tokenizer as a JSON string (`tokenizer_from_json` restores it);
        keyword arguments go to `json.dumps`."""
        return json.dumps({"class_name": type(self).__name__,
                           "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuilds a `Tokenizer` from `Tokenizer.to_json()` (Keras's format).

    Raises:
        ValueError: If the JSON is not a saved Tokenizer.

    Example:
        >>> from baro.utils.text import Tokenizer, tokenizer_from_json
        >>> tokenizer = Tokenizer()
        >>> tokenizer.fit_on_texts(["a b b"])
        >>> tokenizer_from_json(tokenizer.to_json()).word_index
        {'b': 1, 'a': 2}
    """
    data = json.loads(json_string)
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict) or data.get("class_name") != "Tokenizer":
        raise ValueError("tokenizer_from_json expects the JSON written by "
                         "Tokenizer.to_json().")
    config = dict(config)
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    index_docs = json.loads(config.pop("index_docs"))
    index_word = json.loads(config.pop("index_word"))
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(word_counts)
    tokenizer.word_docs = defaultdict(int, word_docs)
    # JSON keys are strings; the indices are ints.
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in index_docs.items()})
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    tokenizer.word_index = word_index
    return tokenizer
