"""pad_sequences (Keras's documented cases) and timeseries windows (Keras's
documented examples and alignment)."""

import numpy as np
import pytest

import baro
from baro.utils import PyDataset
from baro.utils.sequence_utils import pad_sequences, timeseries_dataset_from_array

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


@pytest.mark.parametrize("kwargs, expected", [
    ({}, [[0, 0, 1], [0, 2, 3], [4, 5, 6]]),
    ({"value": -1}, [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]),
    ({"padding": "post"}, [[1, 0, 0], [2, 3, 0], [4, 5, 6]]),
    ({"maxlen": 2}, [[0, 1], [2, 3], [5, 6]]),
    ({"maxlen": 2, "truncating": "post"}, [[0, 1], [2, 3], [4, 5]]),
    ({"maxlen": 4, "padding": "post", "truncating": "post"},
     [[1, 0, 0, 0], [2, 3, 0, 0], [4, 5, 6, 0]]),
])
def test_keras_documented_cases(kwargs, expected):
    out = pad_sequences(SEQUENCES, **kwargs)
    assert out.dtype == np.int32
    assert out.tolist() == expected


def test_dtype_value_and_empty_sequences():
    out = pad_sequences([[0.5, 1.5], []], maxlen=3, dtype="float32", value=9.0)
    assert out.dtype == np.float32
    assert out.tolist() == [[9.0, 0.5, 1.5], [9.0, 9.0, 9.0]]
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)


def test_sequences_of_vectors_keep_their_element_shape():
    seqs = [np.ones((1, 2)), np.full((3, 2), 2.0)]
    out = pad_sequences(seqs, dtype="float32")
    assert out.shape == (2, 3, 2)
    assert out[0].tolist() == [[0, 0], [0, 0], [1, 1]]
    with pytest.raises(ValueError, match="shape"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))])


def test_strings_need_an_object_or_string_dtype():
    out = pad_sequences([["a"], ["b", "c"]], dtype=object, value="")
    assert out.tolist() == [["", "a"], ["b", "c"]]
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="pad")


@pytest.mark.parametrize("kwargs, match", [
    ({"padding": "middle"}, "padding"),
    ({"truncating": "both"}, "truncating"),
    ({"maxlen": -1}, "maxlen"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(SEQUENCES, **kwargs)


def test_non_iterable_sequences():
    with pytest.raises(ValueError, match="position 1"):
        pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="list of sequences"):
        pad_sequences(5)


def _all_windows(ds):
    batches = [ds[i] for i in range(len(ds))]
    if isinstance(batches[0], tuple):
        return (np.concatenate([b[0] for b in batches]),
                np.concatenate([b[1] for b in batches]))
    return np.concatenate(batches)


def test_keras_example_1_indices_of_strided_sampled_windows():
    ds = timeseries_dataset_from_array(np.arange(99), None, sequence_length=10,
                                       sampling_rate=2, sequence_stride=3)
    assert isinstance(ds, PyDataset) and len(ds) == 1
    windows = _all_windows(ds)
    assert windows[0].tolist() == list(range(0, 20, 2))
    assert windows[1].tolist() == list(range(3, 23, 2))
    assert windows[2].tolist() == list(range(6, 26, 2))
    assert windows[-1].tolist() == list(range(78, 98, 2))
    assert len(windows) == 27


def test_keras_example_2_targets_align_with_the_window_start():
    data = np.arange(100, dtype=np.float32) * 0.5
    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    inputs, targets = ds[0]
    assert np.array_equal(inputs[0], data[:10])
    assert targets[0] == data[10]
    x, y = _all_windows(ds)
    assert x.shape == (81, 10) and np.array_equal(y, data[10:91])


def test_keras_example_3_separate_input_and_target_datasets():
    x = np.arange(100)
    y = x * 2
    inputs = timeseries_dataset_from_array(x, None, sequence_length=20,
                                           sequence_stride=20)
    targets = timeseries_dataset_from_array(y, None, sequence_length=20,
                                            sequence_stride=20)
    assert np.array_equal(inputs[0][0], x[:20])
    assert np.array_equal(targets[0][1], y[20:40])
    assert inputs[0].shape == (5, 20)


def test_batching_multivariate_steps_and_unbatched_items():
    data = np.arange(30).reshape(15, 2)
    ds = timeseries_dataset_from_array(data, np.arange(15), sequence_length=4,
                                       batch_size=5)
    assert len(ds) == 3  # 12 windows in batches of 5, 5, 2
    x, y = ds[2]
    assert x.shape == (2, 4, 2) and y.tolist() == [10, 11]
    assert np.array_equal(x[1], data[11:15])
    assert np.array_equal(ds[-1][1], y)
    with pytest.raises(IndexError):
        ds[3]
    single = timeseries_dataset_from_array(data, None, sequence_length=4,
                                           batch_size=None)
    assert len(single) == 12 and single[0].shape == (4, 2)
    assert len(list(single)) == 12  # iteration stops at IndexError


def test_start_and_end_index_restrict_the_series():
    data = np.arange(20)
    ds = timeseries_dataset_from_array(data, data * 10, sequence_length=3,
                                       start_index=5, end_index=12)
    x, y = _all_windows(ds)
    assert x[0].tolist() == [5, 6, 7] and x[-1].tolist() == [9, 10, 11]
    assert y.tolist() == [50, 60, 70, 80, 90]


def test_shuffle_is_seeded_like_keras_and_keeps_pairs():
    data = np.arange(50)
    ds = timeseries_dataset_from_array(data, data + 1000, sequence_length=5,
                                       batch_size=8, shuffle=True, seed=3)
    expected = np.arange(46)
    np.random.RandomState(3).shuffle(expected)  # Keras's start positions
    x, y = _all_windows(ds)
    assert x[:, 0].tolist() == expected.tolist()
    assert np.array_equal(y, x[:, 0] + 1000)
    ds.on_epoch_end()
    x2, y2 = _all_windows(ds)
    assert sorted(x2[:, 0].tolist()) == list(range(46))
    assert not np.array_equal(x2, x) and np.array_equal(y2, x2[:, 0] + 1000)


def test_too_short_series_gives_an_empty_dataset():
    ds = timeseries_dataset_from_array(np.arange(5), None, sequence_length=10)
    assert len(ds) == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"sequence_length": 0}, "sequence_length"),
    ({"sequence_length": 3, "sampling_rate": 0}, "sampling_rate"),
    ({"sequence_length": 3, "sequence_stride": 10}, "sequence_stride"),
    ({"sequence_length": 3, "batch_size": 0}, "batch_size"),
    ({"sequence_length": 3, "start_index": 10}, "start_index"),
    ({"sequence_length": 3, "end_index": 10}, "end_index"),
    ({"sequence_length": 3, "start_index": 5, "end_index": 4}, "greater than"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        timeseries_dataset_from_array(np.arange(10), None, **kwargs)


def test_fit_trains_on_a_timeseries_dataset():
    series = np.sin(np.arange(200) * 0.1).astype(np.float32)
    ds = timeseries_dataset_from_array(series[:-5], series[5:], sequence_length=5,
                                       batch_size=32)
    model = baro.keras.Sequential([baro.keras.layers.Input((5,)),
                                   baro.keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
