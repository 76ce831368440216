"""TextVectorization: strings to token indices or bag-of-words vectors."""

from __future__ import annotations

import collections
import os
import re
import string

import numpy as np

from baro.layers.layer import Layer
from baro.layers.symbolic import is_symbolic
from baro.ops.convert import as_tensor
from baro.saving.registry import register_serializable
from baro.utils.dataset import PyDataset

MASK_TOKEN = ""
OOV_TOKEN = "[UNK]"
# Keras strips these with the regex [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']:
# exactly string.punctuation.
_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
_MODES = ("int", "multi_hot", "count", "tf_idf")


def _as_strings(values) -> np.ndarray:
    """An object array of str (bytes decoded as UTF-8)."""
    array = np.array(values, dtype=object)
    flat = array.reshape(-1)
    for i, value in enumerate(flat):
        if isinstance(value, (bytes, np.bytes_)):
            flat[i] = bytes(value).decode("utf-8")
        elif isinstance(value, (str, np.str_)):
            flat[i] = str(value)
        else:
            raise TypeError(
                f"TextVectorization expects strings, received "
                f"{type(value).__name__} {value!r}.")
    return array


def _inputs_of(batch):
    """The strings of a batch that may be `(x, y)` or `(x, y, sample_weight)`."""
    if isinstance(batch, tuple) and batch and not isinstance(batch[0], (str, bytes)):
        return batch[0]
    return batch


@register_serializable()
class TextVectorization(Layer):
    """Maps strings to sequences of token indices, or to multi-hot, count or
    TF-IDF vectors over a vocabulary (Keras's layer, computed in NumPy).

    Each string is standardized (lowercased, punctuation stripped), split into
    tokens (on whitespace), optionally combined into n-grams, and looked up in
    the vocabulary. The vocabulary is passed in or learned by `adapt(data)`:
    tokens sorted by decreasing count, ties broken by the token in decreasing
    order (as Keras), cut to `max_tokens`.

    Indices: in "int" mode 0 is padding ("") and 1 the out-of-vocabulary token
    "[UNK]", so the vocabulary is `["", "[UNK]", most frequent, ...]`; in the
    other modes it is `["[UNK]", most frequent, ...]`.

    The layer runs eagerly on strings, so use it on the data before `fit`
    (as Keras recommends for non-TensorFlow backends); it cannot be called on
    a symbolic `Input`.

    Args:
        max_tokens: Vocabulary size cap, special tokens included (None: no
            cap). Must be > 1.
        standardize: "lower_and_strip_punctuation" (default), "lower",
            "strip_punctuation", None, or a callable str -> str applied to
            each string.
        split: "whitespace" (default), "character", None (each input string
            is one token), or a callable str -> list of tokens.
        ngrams: None, an int n (all n-grams of 1..n tokens) or a tuple of
            widths; n-grams join tokens with a space and need a split.
        output_mode: "int" (default; "binary" and "tf-idf" are accepted as the
            old names of "multi_hot" and "tf_idf"), "multi_hot", "count" or
            "tf_idf".
        output_sequence_length: "int" mode only: pad (with 0, after) or cut
            (the end) every sequence to this length; default: the longest
            sequence in the batch.
        pad_to_max_tokens: Non-"int" modes: output width `max_tokens` even if
            the vocabulary is smaller.
        vocabulary: A list of tokens or a path to a UTF-8 text file with one
            token per line; the special tokens may lead it in their order.
        idf_weights: "tf_idf" with a given vocabulary: one weight per token.
        **kwargs: Base Layer arguments (`name`, ...).

    Input: a string, or a batch of strings of shape (batch,) or (batch, 1).
    Output: "int": int64 of shape (batch, sequence_length); otherwise floatx
    of shape (batch, vocabulary size or max_tokens).

    Example:
        >>> from baro.layers.preprocessing.text_vectorization import (
        ...     TextVectorization)
        >>> layer = TextVectorization(max_tokens=5000, output_sequence_length=4)
        >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> layer([["foo qux bar"], ["qux baz"]]).numpy().tolist()
        [[4, 1, 3, 0], [1, 2, 0, 0]]
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada']
    """

    def __init__(self, max_tokens: int | None = None,
                 standardize="lower_and_strip_punctuation", split="whitespace",
                 ngrams=None, output_mode: str = "int",
                 output_sequence_length: int | None = None,
                 pad_to_max_tokens: bool = False, vocabulary=None,
                 idf_weights=None, **kwargs) -> None:
        # Keys Keras configs carry that need no handling here.
        for key in ("sparse", "ragged"):
            if kwargs.pop(key, False):
                raise ValueError(f"TextVectorization: {key}=True is not supported; "
                                 "baro returns dense arrays.")
        kwargs.pop("encoding", None)
        kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary",
                                          vocabulary is not None)
        super().__init__(**kwargs)
        if standardize not in ("lower_and_strip_punctuation", "lower",
                               "strip_punctuation", None) and \
                not callable(standardize):
            raise ValueError(
                'TextVectorization: standardize must be "lower_and_strip_'
                'punctuation", "lower", "strip_punctuation", None or a callable, '
                f"received {standardize!r}.")
        if split not in ("whitespace", "character", None) and not callable(split):
            raise ValueError('TextVectorization: split must be "whitespace", '
                             f'"character", None or a callable, received {split!r}.')
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(
            output_mode, output_mode)
        if output_mode not in _MODES:
            raise ValueError(f"TextVectorization: output_mode must be one of "
                             f"{_MODES}, received {output_mode!r}.")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int) and ngrams > 0 or
                isinstance(ngrams, tuple) and ngrams and
                all(isinstance(n, int) and n > 0 for n in ngrams)):
            raise ValueError("TextVectorization: ngrams must be None, a positive "
                             f"integer or a tuple of them, received {ngrams!r}.")
        if ngrams is not None and split is None:
            raise ValueError("TextVectorization: ngrams need split= (n-grams "
                             "combine the tokens of a split string).")
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(
                    "TextVectorization: output_sequence_length is only valid with "
                    f'output_mode="int", received output_mode={output_mode!r}.')
            if isinstance(output_sequence_length, bool) or not isinstance(
                    output_sequence_length, int) or output_sequence_length < 1:
                raise ValueError(
                    "TextVectorization: output_sequence_length must be None or a "
                    f"positive integer, received {output_sequence_length!r}.")
        if max_tokens is not None and (isinstance(max_tokens, bool) or
                                       not isinstance(max_tokens, int) or
                                       max_tokens <= 1):
            raise ValueError("TextVectorization: max_tokens must be None or an "
                             f"integer > 1, received {max_tokens!r}.")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("TextVectorization: pad_to_max_tokens=True needs "
                             "max_tokens.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError('TextVectorization: idf_weights are only used with '
                             f'output_mode="tf_idf", received {output_mode!r}.')
        if output_mode == "tf_idf" and vocabulary is not None and \
                idf_weights is None:
            raise ValueError('TextVectorization: with output_mode="tf_idf" and a '
                             "vocabulary, pass idf_weights too.")
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self._ngram_widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) \
            else ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._has_input_vocabulary = bool(has_input_vocabulary)
        self._tokens: list[str] = []
        self._index: dict[str, int] = {}
        self._idf: np.ndarray | None = None
        self._vocabulary_set = False
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # -- vocabulary ---------------------------------------------------------------
    @property
    def _token_start(self) -> int:
        """Index of the first real token: after "" (int mode) and "[UNK]"."""
        return 2 if self.output_mode == "int" else 1

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The vocabulary; with special tokens, a token's position is its index.

        Args:
            include_special_tokens: Include "" (int mode) and "[UNK]" first.
        """
        specials = [MASK_TOKEN, OOV_TOKEN] if self.output_mode == "int" \
            else [OOV_TOKEN]
        return (specials if include_special_tokens else []) + list(self._tokens)

    def vocabulary_size(self) -> int:
        """Size of the vocabulary, special tokens included."""
        return self._token_start + len(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and TF-IDF weights) instead of adapting.

        Args:
            vocabulary: A list/tuple/array of unique tokens, or a path to a
                UTF-8 text file with one token per line. It may start with the
                special tokens in their order (["", "[UNK]"] in int mode,
                ["[UNK]"] otherwise); they are not repeated.
            idf_weights: "tf_idf" only and then required: one weight per entry
                of `vocabulary`.

        Raises:
            ValueError: For an empty vocabulary, repeated tokens, a misplaced
                "" token, more than `max_tokens` entries, or idf weights that
                do not match.
            FileNotFoundError: If a vocabulary file does not exist.
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError('TextVectorization.set_vocabulary: output_mode='
                             '"tf_idf" needs idf_weights.')
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError("TextVectorization.set_vocabulary: idf_weights are "
                             'only used with output_mode="tf_idf".')
        if isinstance(vocabulary, (str, os.PathLike)):
            if not os.path.isfile(vocabulary):
                raise FileNotFoundError(
                    f"TextVectorization: vocabulary file {vocabulary!r} does not "
                    "exist.")
            with open(vocabulary, encoding="utf-8") as f:
                lines = f.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            vocabulary = lines
        tokens = list(_as_strings(vocabulary).reshape(-1))
        if not tokens:
            raise ValueError("TextVectorization: cannot set an empty vocabulary.")
        specials = self.get_vocabulary()[:self._token_start]
        found_specials = tokens[:len(specials)] == specials
        if found_specials:
            tokens = tokens[len(specials):]
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"TextVectorization: the vocabulary repeats the "
                             f"tokens {repeated}; make it unique.")
        if MASK_TOKEN in tokens:
            raise ValueError(
                'TextVectorization: the vocabulary holds the padding token "" '
                "at an unexpected position; leave the special tokens out, or "
                f"put them first in this order: {specials}.")
        size = self._token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"TextVectorization: a vocabulary of {size} entries "
                             f"(special tokens included) exceeds max_tokens="
                             f"{self.max_tokens}.")
        if idf_weights is not None:
            weights = np.asarray(idf_weights, dtype=np.float64)
            if weights.ndim != 1 or len(weights) != len(vocabulary):
                raise ValueError(
                    f"TextVectorization: idf_weights must be 1-D with one weight "
                    f"per vocabulary entry ({len(vocabulary)}), received shape "
                    f"{weights.shape}.")
            if not found_specials:
                # No document frequency for "[UNK]": Keras uses the average.
                weights = np.concatenate([[weights.mean()], weights])
            self._idf = weights
        self._set_tokens(tokens)
        self._has_input_vocabulary = True

    def _set_tokens(self, tokens: list[str]) -> None:
        self._tokens = list(tokens)
        self._index = {t: i for i, t in enumerate(self._tokens, self._token_start)}
        self._vocabulary_set = True

    # -- text processing ------------------------------------------------------------
    def _standardize(self, text: str) -> str:
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        if callable(self.standardize):
            text = self.standardize(text)
        return text

    def _split(self, text: str) -> list[str]:
        if self.split == "whitespace":
            tokens = text.split()
        elif self.split == "character":
            tokens = list(text)
        else:
            tokens = list(self.split(text))
        if self._ngram_widths is None:
            return tokens
        # All n-grams of the first width, then of the next (tf.strings.ngrams).
        return [" ".join(tokens[i:i + n]) for n in self._ngram_widths
                for i in range(len(tokens) - n + 1)]

    def _documents(self, inputs) -> tuple[list[list[str]], tuple]:
        """Token lists, one per example, and the batch shape (() or (n,))."""
        array = _as_strings(inputs)
        if self.split is None:
            if array.ndim == 0:
                return [[self._standardize(array.item())]], ()
            if array.ndim == 1:
                return [[self._standardize(t)] for t in array], array.shape
            if array.ndim == 2:
                return [[self._standardize(t) for t in row] for row in array], \
                    array.shape[:1]
        else:
            if array.ndim > 1 and array.shape[-1] == 1:
                array = array[..., 0]
            if array.ndim == 0:
                return [self._split(self._standardize(array.item()))], ()
            if array.ndim == 1:
                return [self._split(self._standardize(t)) for t in array], \
                    array.shape
        raise ValueError(
            "TextVectorization expects a string or a batch of strings of shape "
            f"(batch,) or (batch, 1), received shape {array.shape}.")

    # -- adapt ----------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learns the vocabulary (and document frequencies) from `data`.

        Args:
            data: Strings (a list, tuple or array: one document each), a
                PyDataset, or an iterable of batches of strings (batches that
                are `(x, y)` tuples contribute x).
            batch_size: Accepted for Keras compatibility; unused.
            steps: Use at most this many batches of an iterable.

        Raises:
            ValueError: If the layer was given a fixed vocabulary, or `data`
                holds something other than strings.
        """
        if self._has_input_vocabulary:
            raise ValueError(
                f"TextVectorization {self.name!r} has a fixed vocabulary (passed "
                "in or set with set_vocabulary); adapt() cannot change it.")
        if isinstance(data, (str, bytes, list, tuple, np.ndarray)):
            batches = iter([data])
        elif isinstance(data, PyDataset):
            batches = (_inputs_of(data[i]) for i in range(len(data)))
        elif hasattr(data, "__iter__"):
            batches = (_inputs_of(batch) for batch in data)
        else:
            raise TypeError(
                f"TextVectorization.adapt expects strings, a PyDataset or an "
                f"iterable of batches, received {type(data).__name__}.")
        counts: collections.Counter = collections.Counter()
        doc_counts: collections.Counter = collections.Counter()
        num_documents = 0
        for step, batch in enumerate(batches):
            if steps is not None and step >= steps:
                break
            docs, _ = self._documents(batch)
            for doc in docs:
                counts.update(doc)
                doc_counts.update(set(doc))
            num_documents += len(docs)
        for special in (MASK_TOKEN, OOV_TOKEN):
            counts.pop(special, None)
        # Count descending, then token descending: Keras's reversed lexsort.
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - self._token_start]
        tokens = [token for token, _ in ranked]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            frequency = np.array([doc_counts[t] for t in tokens], dtype=np.float64)
            idf = np.log(1 + num_documents / (1 + frequency))
            self._idf = np.concatenate([[idf.mean() if len(idf) else 0.0], idf])

    # -- call -----------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(inputs):
            raise TypeError(
                "TextVectorization runs on strings eagerly and cannot be called on "
                "a symbolic Input; apply it to the data before fit (x = "
                "layer(texts)) and start the model at the integer sequences.")
        kwargs.pop("training", None)
        return self.call(inputs)

    def call(self, inputs):
        if not self._vocabulary_set and not (
                self.output_mode == "int" or self.pad_to_max_tokens):
            raise RuntimeError(
                f'TextVectorization {self.name!r}: with output_mode='
                f'"{self.output_mode}", set the vocabulary (vocabulary= or adapt) '
                "before calling the layer.")
        if self.split is None and self.output_mode == "int":
            return as_tensor(self._lookup_elementwise(inputs), "int64")
        docs, batch_shape = self._documents(inputs)
        if self.output_mode == "int":
            out = self._int_output(docs)
        else:
            out = self._vector_output(docs)
        return as_tensor(out.reshape(batch_shape + out.shape[1:]), out.dtype)

    def _lookup(self, token: str) -> int:
        if token == MASK_TOKEN and self.output_mode == "int":
            return 0
        return self._index.get(token, self._token_start - 1)

    def _lookup_elementwise(self, inputs) -> np.ndarray:
        array = _as_strings(inputs)
        ids = np.array([self._lookup(self._standardize(t))
                        for t in array.reshape(-1)], dtype=np.int64)
        ids = ids.reshape(array.shape)
        length = self.output_sequence_length
        if length is None or ids.ndim == 0:
            return ids
        out = np.zeros(ids.shape[:-1] + (length,), dtype=np.int64)
        kept = ids[..., :length]
        out[..., :kept.shape[-1]] = kept
        return out

    def _int_output(self, docs) -> np.ndarray:
        length = self.output_sequence_length
        if length is None:
            length = max((len(doc) for doc in docs), default=0)
        out = np.zeros((len(docs), length), dtype=np.int64)
        for row, doc in enumerate(docs):
            ids = [self._lookup(token) for token in doc[:length]]
            out[row, :len(ids)] = ids
        return out

    def _vector_output(self, docs) -> np.ndarray:
        depth = self.max_tokens if self.pad_to_max_tokens else \
            self.vocabulary_size()
        counts = np.zeros((len(docs), depth), dtype=np.float64)
        for row, doc in enumerate(docs):
            for token in doc:
                if token != MASK_TOKEN:  # Keras drops the mask token here
                    counts[row, self._lookup(token)] += 1
        if self.output_mode == "multi_hot":
            counts = np.minimum(counts, 1)
        elif self.output_mode == "tf_idf":
            idf = np.zeros(depth)
            idf[:len(self._idf)] = self._idf[:depth]
            counts = counts * idf
        return counts.astype(self.dtype)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[:1]
        if self.output_mode == "int":
            return batch + (self.output_sequence_length,)
        depth = self.max_tokens if self.pad_to_max_tokens else \
            self.vocabulary_size()
        return batch + (depth,)

    def get_config(self) -> dict:
        """Settings plus the current vocabulary (adapted or given), so that a
        config round trip keeps the lookup."""
        vocabulary = idf_weights = None
        if self._vocabulary_set:
            vocabulary = self.get_vocabulary(include_special_tokens=False)
            if self.output_mode == "tf_idf":
                idf_weights = self._idf[1:1 + len(vocabulary)].tolist()
        config = {**super().get_config(), "max_tokens": self.max_tokens,
                  "standardize": self.standardize, "split": self.split,
                  "ngrams": self.ngrams, "output_mode": self.output_mode,
                  "output_sequence_length": self.output_sequence_length,
                  "pad_to_max_tokens": self.pad_to_max_tokens,
                  "vocabulary": vocabulary, "idf_weights": idf_weights,
                  "has_input_vocabulary": self._has_input_vocabulary}
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        vocabulary = config.pop("vocabulary", None)
        idf_weights = config.pop("idf_weights", None)
        has_input = config.pop("has_input_vocabulary", vocabulary is not None)
        layer = cls(**config)
        if vocabulary:
            layer.set_vocabulary(vocabulary, idf_weights)
        layer._has_input_vocabulary = bool(has_input)
        return layer
