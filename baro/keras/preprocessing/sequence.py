"""`keras.preprocessing.sequence` (Keras 2): `pad_sequences`,
`TimeseriesGenerator`, `skipgrams` and `make_sampling_table`."""

from __future__ import annotations

import random

import numpy as np

from baro.utils import PyDataset, pad_sequences


class TimeseriesGenerator(PyDataset):
    """Batches of windows over a series with the target after each window
    (Keras 2's `TimeseriesGenerator`), usable by `model.fit`.

    Sample i of the series, at row `r` (rows `start_index + length` ..
    `end_index`), is `data[r - length : r : sampling_rate]` with target
    `targets[r]`: the window *before* row r predicts row r. Without shuffling,
    batch k holds rows `start_index + length + k * batch_size * stride`,
    `... + stride`, ...; with `shuffle=True` every batch draws `batch_size`
    rows at random (with replacement, as Keras 2 does).

    Args:
        data: Array-like with time steps on axis 0.
        targets: One target per time step (same length as `data`).
        length: Steps per window.
        sampling_rate: Steps between the samples inside a window.
        stride: Steps between consecutive windows.
        start_index, end_index: Use rows from `start_index + length` to
            `end_index` (inclusive; default the last row).
        shuffle: Draw random rows per batch.
        reverse: Windows in reverse time order.
        batch_size: Windows per batch (default 128).
        seed: Seed of the random rows (default: drawn from NumPy's global
            generator, which `baro.utils.set_random_seed` seeds).

    Raises:
        ValueError: If `data` and `targets` differ in length, or no row is
            left after `start_index + length`.

    Example:
        >>> import numpy as np
        >>> from baro.keras.preprocessing.sequence import TimeseriesGenerator
        >>> series = np.arange(10)
        >>> gen = TimeseriesGenerator(series, series, length=3, batch_size=2)
        >>> len(gen)
        4
        >>> x, y = gen[0]
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2], [1, 2, 3]], [3, 4])
    """

    def __init__(self, data, targets, length: int, sampling_rate: int = 1,
                 stride: int = 1, start_index: int = 0, end_index: int | None = None,
                 shuffle: bool = False, reverse: bool = False, batch_size: int = 128,
                 seed: int | None = None) -> None:
        super().__init__()
        if len(data) != len(targets):
            raise ValueError(f"TimeseriesGenerator: data and targets must have the "
                             f"same length; data has {len(data)}, targets "
                             f"{len(targets)}.")
        for name, value in (("length", length), ("sampling_rate", sampling_rate),
                            ("stride", stride), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                    or value < 1:
                raise ValueError(f"TimeseriesGenerator: {name} must be a positive "
                                 f"integer, received {value!r}.")
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(
                f"TimeseriesGenerator: start_index + length = {self.start_index} > "
                f"end_index = {self.end_index}: no row would be left to predict. "
                "Use a shorter length or more data.")
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        self._rng = np.random.RandomState(seed)

    def __len__(self) -> int:
        step = self.batch_size * self.stride
        return (self.end_index - self.start_index + step) // step

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(f"TimeseriesGenerator: batch {index} is out of range "
                             f"for {len(self)} batches.")
        index %= len(self)
        if self.shuffle:
            rows = self._rng.randint(self.start_index, self.end_index + 1,
                                     size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(first, min(first + self.batch_size * self.stride,
                                        self.end_index + 1), self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate]
                            for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Keep-probabilities of word ranks for `skipgrams` (Keras 2's function).

    Word frequencies are assumed to follow Zipf's law, so the word of rank r
    has frequency about `1 / (r (ln r + gamma))`; word2vec keeps a word with
    probability `min(1, sqrt(sampling_factor / frequency))`. As in Keras:
    `p(r) = min(1, sqrt(sampling_factor * (r (ln r + gamma) + 1/2 - 1/(12 r))))`
    (rank 0, the padding index, counts as rank 1).

    Args:
        size: Vocabulary size (index 0 is padding).
        sampling_factor: word2vec's sampling factor.

    Returns:
        Array of `size` probabilities, non-increasing with the rank.

    Example:
        >>> from baro.keras.preprocessing.sequence import make_sampling_table
        >>> make_sampling_table(5).round(5).tolist()
        [0.00315, 0.00315, 0.00548, 0.00742, 0.00913]
    """
    gamma = 0.577  # Euler-Mascheroni, to Keras's precision
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size: int, window_size: int = 4,
              negative_samples: float = 1.0, shuffle: bool = True,
              categorical: bool = False, sampling_table=None,
              seed: int | None = None):
    """Word pairs for word2vec (Keras 2's `skipgrams`).

    Positive pairs `[w_i, w_j]` (label 1) join each word with its neighbours
    up to `window_size` away; index 0 is skipped. Then
    `int(negative_samples * positives)` negative pairs (label 0) join the
    positive pairs' first words, shuffled, with random indices in
    `1 .. vocabulary_size - 1`. With a `sampling_table`, word `w` is used as
    a centre word only with probability `sampling_table[w]`.

    Args:
        sequence: Word indices (a list or 1-D array).
        vocabulary_size: Number of indices (the largest index + 1).
        window_size: Neighbours considered on each side.
        negative_samples: Negatives per positive (0 for none).
        shuffle: Shuffle the pairs (and labels alike).
        categorical: Labels as `[0, 1]` / `[1, 0]` instead of 1 / 0.
        sampling_table: Optional keep-probabilities per index
            (`make_sampling_table`).
        seed: Seed of every random choice here (Keras seeds only the final
            shuffle; baro keeps the global `random` module untouched).

    Returns:
        `(couples, labels)`: lists of `[int, int]` pairs and their labels.

    Example:
        >>> from baro.keras.preprocessing.sequence import skipgrams
        >>> pairs, labels = skipgrams([1, 2, 3], 4, window_size=1,
        ...                           negative_samples=0, shuffle=False)
        >>> pairs, labels
        ([[1, 2], [2, 1], [2, 3], [3, 2]], [1, 1, 1, 1])
    """
    rng = random.Random(seed)  # noqa: S311 - sampling, not cryptography
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < rng.random():
            continue
        for j in range(max(0, i - window_size),
                       min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([int(wi), int(sequence[j])])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0 and couples:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        rng.shuffle(words)
        couples += [[words[i % len(words)], rng.randint(1, vocabulary_size - 1)]
                    for i in range(count)]
        labels += [[1, 0] if categorical else 0 for _ in range(count)]
    if shuffle:
        order = list(range(len(couples)))
        rng.shuffle(order)
        couples = [couples[i] for i in order]
        labels = [labels[i] for i in order]
    return couples, labels


__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences",
           "skipgrams"]
