"""Sequences: padding to a common length, and sliding windows over a series."""

from __future__ import annotations

import numpy as np

from baro.utils.dataset import PyDataset


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32",
                  padding: str = "pre", truncating: str = "pre",
                  value=0.0) -> np.ndarray:
    """Pads (or truncates) sequences to a common length (Keras's function).

    Sequences longer than `maxlen` lose values at the start (`truncating=
    "pre"`) or the end ("post"); shorter ones are filled with `value` before
    (`padding="pre"`) or after ("post") their values.

    Args:
        sequences: A list of sequences (lists or arrays); each element may be a
            number or an array of a fixed shape.
        maxlen: The output length; default the longest sequence's length.
        dtype: Output dtype (default "int32"); `object` or a string dtype
            for string values.
        padding: "pre" or "post": where to pad.
        truncating: "pre" or "post": where to cut sequences longer than
            `maxlen`.
        value: The padding value (default 0.0).

    Returns:
        Array of shape `(len(sequences), maxlen) + element_shape`.

    Raises:
        ValueError: For a non-iterable sequence, unknown `padding` or
            `truncating`, a string `value` with a non-string dtype, or
            elements of different shapes.

    Example:
        >>> from baro.utils.sequence_utils import pad_sequences
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
        array([[0, 0, 1],
               [0, 2, 3],
               [4, 5, 6]], dtype=int32)
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding="post")
        array([[1, 0],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: sequences must be a list of sequences, "
                         f"received {type(sequences).__name__}.")
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences: padding must be "pre" or "post", '
                         f"received {padding!r}.")
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences: truncating must be "pre" or "post", '
                         f"received {truncating!r}.")
    lengths = []
    sample_shape = ()
    found_shape = False
    for index, seq in enumerate(sequences):
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError(
                f"pad_sequences: sequences must be a list of sequences; the one "
                f"at position {index} is {seq!r}.") from None
        # The element shape comes from the first non-empty sequence.
        if not found_shape and len(seq):
            sample_shape = np.asarray(seq).shape[1:]
            found_shape = True
    if maxlen is None:
        maxlen = max(lengths, default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) \
            or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be None or an integer >= 0, "
                         f"received {maxlen!r}.")
    is_text = np.dtype(dtype).kind in "USO"
    if isinstance(value, str) and not is_text:
        raise ValueError(
            f"pad_sequences: dtype {dtype} cannot hold the string value "
            f"{value!r}; pass dtype=object for variable-length strings.")
    out = np.full((len(sequences), int(maxlen)) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for index, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"pad_sequences: the elements of sequence {index} have shape "
                f"{kept.shape[1:]}, the first non-empty sequence's have "
                f"{sample_shape}.")
        if padding == "post":
            out[index, :len(kept)] = kept
        else:
            out[index, maxlen - len(kept):] = kept
    return out


def _check_positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value <= 0:
        raise ValueError(f"timeseries_dataset_from_array: {name} must be a "
                         f"positive integer, received {value!r}.")
    return int(value)


class TimeseriesDataset(PyDataset):
    """Batches of windows over a series: what `timeseries_dataset_from_array`
    returns. `len()` is the number of batches; item i is `(windows, targets)`
    (or windows alone when there are no targets) of the i-th batch."""

    def __init__(self, data: np.ndarray, targets: np.ndarray | None,
                 starts: np.ndarray, offsets: np.ndarray,
                 batch_size: int | None, shuffle: bool, seed: int) -> None:
        super().__init__()
        self.data = data
        self.targets = targets
        self.start_positions = starts
        self._offsets = offsets
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.RandomState(seed)

    def __len__(self) -> int:
        count = len(self.start_positions)
        if self.batch_size is None:
            return count
        return -(-count // self.batch_size)

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch {index} is out of range for a dataset of "
                             f"{len(self)} batches.")
        index %= len(self)
        if self.batch_size is None:
            starts = self.start_positions[index]
        else:
            starts = self.start_positions[
                index * self.batch_size:(index + 1) * self.batch_size]
        windows = self.data[np.asarray(starts)[..., None] + self._offsets]
        if self.targets is None:
            return windows
        return windows, self.targets[starts]

    def on_epoch_end(self) -> None:
        """Reshuffles the windows' order when `shuffle=True`."""
        if self.shuffle:
            self._rng.shuffle(self.start_positions)


def timeseries_dataset_from_array(data, targets, sequence_length: int,
                                  sequence_stride: int = 1, sampling_rate: int = 1,
                                  batch_size: int | None = 128,
                                  shuffle: bool = False, seed: int | None = None,
                                  start_index: int | None = None,
                                  end_index: int | None = None
                                  ) -> TimeseriesDataset:
    """Sliding windows over a series, batched (Keras's function).

    Window i starts at step `s_i = i * sequence_stride` (counted from
    `start_index`) and holds the steps `s_i, s_i + sampling_rate, ...`,
    `sequence_length` of them; its target is `targets[start_index + s_i]`, the
    target aligned with the window's *first* step (so to predict the step
    after a window of length L, pass `data[:-L]` and `targets=data[L:]`).
    Windows must end before `end_index`.

    Args:
        data: Array with time steps on axis 0 (any shape per step).
        targets: Array with one target per time step, or None.
        sequence_length: Number of steps per window.
        sequence_stride: Steps between the starts of consecutive windows.
        sampling_rate: Steps between consecutive samples inside a window.
        batch_size: Windows per batch (the last batch may be smaller); None
            gives one window per item, unbatched.
        shuffle: Shuffle the windows (reshuffled after every epoch).
        seed: Seed of the shuffle (NumPy `RandomState`, as Keras; the first
            epoch's order equals Keras's start-position permutation); None
            draws one from NumPy's global generator.
        start_index, end_index: Use only `data[start_index:end_index]`.

    Returns:
        A `TimeseriesDataset` (a `baro.utils.PyDataset`) yielding `(windows,
        targets)` batches, or windows alone when `targets` is None; windows
        have shape `(batch, sequence_length) + data.shape[1:]`.

    Raises:
        ValueError: For non-positive lengths, strides or batch sizes, or
            indices outside the data (Keras's checks).

    Example:
        >>> import numpy as np
        >>> from baro.utils.sequence_utils import timeseries_dataset_from_array
        >>> series = np.arange(10)
        >>> ds = timeseries_dataset_from_array(
        ...     series[:-3], series[3:], sequence_length=3, batch_size=4)
        >>> x, y = ds[0]
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [3, 4, 5, 6])
    """
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("timeseries_dataset_from_array: data must have a time "
                         f"axis, received a scalar {data!r}.")
    length = len(data)
    if start_index:
        if start_index < 0 or start_index >= length:
            raise ValueError(
                f"timeseries_dataset_from_array: start_index must be in [0, "
                f"{length}) for data of length {length}, received {start_index}.")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                f"timeseries_dataset_from_array: end_index must be greater than "
                f"start_index, received start_index={start_index}, "
                f"end_index={end_index}.")
        if end_index >= length or end_index <= 0:
            raise ValueError(
                f"timeseries_dataset_from_array: end_index must be in (0, "
                f"{length}) for data of length {length} (leave it None to use "
                f"all the data), received {end_index}.")
    sequence_length = _check_positive("sequence_length", sequence_length)
    sampling_rate = _check_positive("sampling_rate", sampling_rate)
    sequence_stride = _check_positive("sequence_stride", sequence_stride)
    if batch_size is not None:
        batch_size = _check_positive("batch_size", batch_size)
    if sampling_rate >= length:
        raise ValueError(
            f"timeseries_dataset_from_array: sampling_rate must be smaller than "
            f"the data's length {length}, received {sampling_rate}.")
    if sequence_stride >= length:
        raise ValueError(
            f"timeseries_dataset_from_array: sequence_stride must be smaller "
            f"than the data's length {length}, received {sequence_stride}.")
    start_index = start_index or 0
    end_index = end_index or length
    window = data[start_index:end_index]
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        if targets.ndim == 0:
            raise ValueError("timeseries_dataset_from_array: targets must be an "
                             "array with one target per step, or None.")
        targets = targets[start_index:end_index]
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if seed is None:
        seed = int(np.random.randint(1e6))
    if shuffle:
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate)
    return TimeseriesDataset(window, targets, starts, offsets, batch_size,
                             bool(shuffle), seed + 1)
