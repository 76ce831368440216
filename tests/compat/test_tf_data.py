"""tf.data.Dataset as tutorials use it, with `import baro as tf`.

Expected values are TensorFlow's documented examples (tf.data.Dataset API page)
unless a comment says otherwise.
"""

import numpy as np
import pytest

import baro as tf
import baro.data  # noqa: F401 - makes tf.data available until it is a lazy name
from baro.training import data as training_data

Dataset = tf.data.Dataset


def values(ds):
    """The elements as plain Python values (lists for arrays, tuples kept)."""
    def plain(v):
        if isinstance(v, tuple):
            return tuple(plain(x) for x in v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return np.asarray(v).tolist()

    return [plain(v) for v in ds.as_numpy_iterator()]


# -- sources -------------------------------------------------------------------------
def test_range_batch_and_drop_remainder():
    ds = Dataset.range(10).batch(3)
    assert values(ds) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert ds.element_spec.shape == (None,)
    dropped = Dataset.range(10).batch(3, drop_remainder=True)
    assert values(dropped) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert dropped.element_spec.shape == (3,)
    assert (len(ds), len(dropped)) == (4, 3)


def test_range_arguments_and_dtype():
    assert values(Dataset.range(2, 5)) == [2, 3, 4]
    assert values(Dataset.range(1, 5, 2)) == [1, 3]
    assert values(Dataset.range(5, 1, -2)) == [5, 3]
    assert Dataset.range(3).element_spec == tf.data.TensorSpec((), tf.int64)
    ds = Dataset.range(3, output_type=tf.int32)
    assert next(iter(ds)).dtype == np.int32


def test_from_tensor_slices_array_yields_tensors():
    ds = Dataset.from_tensor_slices([[1.0, 2.0], [3.0, 4.0]])
    first = next(iter(ds))
    assert isinstance(first, tf.Tensor)
    # Python floats become float32 and ints int32, as tf.constant does.
    assert first.dtype == np.float32 and first.shape == (2,)
    assert next(iter(Dataset.from_tensor_slices([1, 2]))).dtype == np.int32
    assert next(iter(Dataset.from_tensor_slices(np.arange(3)))).dtype == np.int64


def test_from_tensor_slices_tuple_nested_and_dict():
    ds = Dataset.from_tensor_slices(([1, 2], [3, 4], [5, 6]))
    assert values(ds) == [(1, 3, 5), (2, 4, 6)]
    x, y, z = next(iter(ds))
    assert all(isinstance(t, tf.Tensor) for t in (x, y, z))
    nested = Dataset.from_tensor_slices(([1, 2], ([3, 4], [5, 6])))
    assert values(nested) == [(1, (3, 5)), (2, (4, 6))]
    named = Dataset.from_tensor_slices({"a": [1, 2], "b": [3, 4]})
    assert values(named) == [{"a": 1, "b": 3}, {"a": 2, "b": 4}]
    assert set(named.element_spec) == {"a", "b"}


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors(([1, 2, 3], "A"))
    assert len(ds) == 1
    x, label = next(ds.as_numpy_iterator())
    assert x.tolist() == [1, 2, 3] and label == "A"


def test_from_generator_with_signature_types_and_args():
    def gen(stop):
        for i in range(int(stop)):
            yield i, [1] * i

    ds = Dataset.from_generator(gen, args=(3,), output_signature=(
        tf.data.TensorSpec((), tf.int32), tf.data.TensorSpec((None,), tf.int32)))
    assert values(ds) == [(0, []), (1, [1]), (2, [1, 1])]
    assert ds.cardinality().numpy() == tf.data.UNKNOWN_CARDINALITY
    # Re-iterable: every pass calls the generator function again.
    assert len(values(ds)) == 3
    old_style = Dataset.from_generator(lambda: iter([1.5, 2.5]),
                                       output_types=tf.float64)
    assert next(iter(old_style)).dtype == np.float64
    batched = Dataset.from_generator(lambda: ((np.ones(2), 1) for _ in range(5)),
                                     output_signature=(
                                         tf.data.TensorSpec((2,), tf.float32),
                                         tf.data.TensorSpec((), tf.int64)))
    assert [x.shape for x, _ in batched.batch(2)] == [(2, 2), (2, 2), (1, 2)]


# -- transformations -------------------------------------------------------------------
def test_shuffle_buffer_of_one_keeps_the_order():
    assert values(Dataset.range(20).shuffle(1)) == list(range(20))


def test_shuffle_full_buffer_permutes_and_reshuffles_each_pass():
    ds = Dataset.range(50).shuffle(50, seed=3)
    first, second = values(ds), values(ds)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != list(range(50))
    assert first != second  # reshuffle_each_iteration defaults to True
    frozen = Dataset.range(50).shuffle(50, seed=3, reshuffle_each_iteration=False)
    assert values(frozen) == values(frozen)
    # The same seed gives the same sequence of orders.
    again = Dataset.range(50).shuffle(50, seed=3)
    assert [values(again), values(again)] == [first, second]


def test_shuffle_is_a_buffer_shuffle():
    # With a buffer of k, output i can only be one of inputs 0 .. i + k - 1.
    order = values(Dataset.range(200).shuffle(10, seed=0))
    assert sorted(order) == list(range(200))
    assert all(v < i + 10 for i, v in enumerate(order))
    assert order != list(range(200))
    # Buffer 2 over [0, 1, 2]: the first output is 0 or 1, each half the time.
    ds = Dataset.range(3).shuffle(2, seed=1)
    firsts = [values(ds)[0] for _ in range(2000)]
    assert set(firsts) == {0, 1}
    assert abs(firsts.count(0) / 2000 - 0.5) < 0.05


def test_shuffle_full_buffer_is_uniform():
    ds = Dataset.range(4).shuffle(4, seed=7)
    counts = np.bincount([values(ds)[0] for _ in range(4000)], minlength=4)
    assert np.all(np.abs(counts / 4000 - 0.25) < 0.03)


def test_shuffle_without_seed_follows_the_global_seed():
    tf.random.set_seed(5)
    a = values(Dataset.range(30).shuffle(30))
    tf.random.set_seed(5)
    b = values(Dataset.range(30).shuffle(30))
    assert a == b and a != list(range(30))


def test_shuffle_then_batch_gathers_rows_of_every_component():
    x = np.arange(12).reshape(6, 2)
    ds = Dataset.from_tensor_slices((x, np.arange(6))).shuffle(6, seed=0).batch(4)
    batches = list(ds.as_numpy_iterator())
    assert [b[0].shape for b in batches] == [(4, 2), (2, 2)]
    for xb, yb in batches:  # rows stay paired with their labels
        assert np.array_equal(xb, x[yb])


def test_map_receives_tensors_and_unpacks_tuples():
    seen = []

    def scale(x, y):
        seen.append((type(x), type(y)))
        return tf.cast(x, tf.float32) / 255.0, y

    ds = Dataset.from_tensor_slices((np.array([0, 255], np.uint8), [0, 1])).map(
        scale, num_parallel_calls=tf.data.AUTOTUNE)
    assert values(ds) == [(0.0, 0), (1.0, 1)]
    assert seen[-1] == (tf.Tensor, tf.Tensor)
    assert repr(ds).startswith("<_ParallelMapDataset element_spec=(TensorSpec(")


def test_map_dicts_lists_and_specs():
    ds = Dataset.from_tensor_slices({"a": [1, 2], "b": [10, 20]})
    assert values(ds.map(lambda d: d["a"] + d["b"])) == [11, 22]
    as_tuple = Dataset.range(2).map(lambda x: [x, x * 2])  # a list becomes a tuple
    assert values(as_tuple) == [(0, 0), (1, 2)]
    batched = Dataset.from_tensor_slices(np.zeros((5, 3), np.float32)).batch(2)
    mapped = batched.map(lambda x: tf.reduce_sum(x, axis=1))
    assert mapped.element_spec == tf.data.TensorSpec((None,), tf.float32)
    assert mapped.cardinality().numpy() == 3


def test_filter_and_its_errors():
    assert values(Dataset.range(10).filter(lambda x: x % 2 == 0)) == [0, 2, 4, 6, 8]
    ds = Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).filter(lambda x, y: y > 4)
    assert values(ds) == [(2, 5), (3, 6)]
    with pytest.raises(ValueError, match="scalar boolean.*returned shape \\(\\) and "
                                         "dtype int64"):
        values(Dataset.range(3).filter(lambda x: x))


def test_take_skip_repeat():
    ds = Dataset.from_tensor_slices([1, 2, 3])
    assert values(ds.repeat(3)) == [1, 2, 3] * 3
    assert values(ds.repeat().take(7)) == [1, 2, 3, 1, 2, 3, 1]
    assert values(ds.take(2)) == [1, 2] and values(ds.take(-1)) == [1, 2, 3]
    assert values(ds.skip(1)) == [2, 3] and values(ds.skip(-1)) == []
    assert values(ds.repeat(0)) == []
    assert values(Dataset.range(0).repeat().take(5)) == []


def test_repeat_after_shuffle_reshuffles_every_repetition():
    order = values(Dataset.range(20).shuffle(20, seed=2).repeat(2))
    assert sorted(order[:20]) == sorted(order[20:]) == list(range(20))
    assert order[:20] != order[20:]


def test_zip_enumerate_concatenate():
    a, b = Dataset.range(1, 4), Dataset.range(4, 7)
    assert values(Dataset.zip((a, b))) == [(1, 4), (2, 5), (3, 6)]
    assert values(Dataset.zip(a, Dataset.range(4, 6))) == [(1, 4), (2, 5)]
    named = Dataset.zip({"x": a, "y": b})
    assert values(named)[0] == {"x": 1, "y": 4}
    assert values(Dataset.from_tensor_slices([1, 2, 3]).enumerate(start=5)) == \
        [(5, 1), (6, 2), (7, 3)]
    assert values(a.concatenate(Dataset.range(4, 8))) == [1, 2, 3, 4, 5, 6, 7]
    with pytest.raises(TypeError, match="differ in structure or dtype"):
        a.concatenate(Dataset.from_tensor_slices([1.0, 2.0]))


def test_unbatch_undoes_batch():
    x = np.arange(10).reshape(5, 2)
    ds = Dataset.from_tensor_slices(x).batch(2).unbatch()
    assert values(ds) == x.tolist()
    assert ds.element_spec.shape == (2,)
    assert Dataset.range(9).batch(3, drop_remainder=True).unbatch() \
        .cardinality().numpy() == 9


def test_cache_replays_the_first_pass():
    calls = []

    def count(x):
        calls.append(1)
        return x

    ds = Dataset.range(4).map(count).cache()
    assert values(ds) == values(ds) == [0, 1, 2, 3]
    assert len(calls) == 4
    # A shuffle before the cache is frozen into it (as in TF); after it, not.
    frozen = Dataset.range(30).shuffle(30, seed=0).cache()
    assert values(frozen) == values(frozen)
    fresh = Dataset.range(30).cache().shuffle(30, seed=0)
    assert values(fresh) != values(fresh)


def test_prefetch_reduce_apply_and_iterators():
    ds = Dataset.range(5).prefetch(tf.data.AUTOTUNE)
    assert values(ds) == [0, 1, 2, 3, 4]
    assert ds.reduce(0, lambda state, x: state + x).numpy() == 10
    assert values(ds.apply(lambda d: d.take(2))) == [0, 1]
    iterator = iter(ds)
    assert int(iterator.get_next()) == 0 and int(next(iterator)) == 1
    assert bool(Dataset.range(0).repeat()) is True  # no len() behind `if ds:`


def test_cardinality_values_and_constants():
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2
    ds = Dataset.range(42)
    cases = {
        ds: 42, ds.repeat(): -1, ds.repeat().take(5): 5, ds.filter(bool): -2,
        ds.batch(5): 9, ds.batch(5, drop_remainder=True): 8, ds.skip(40): 2,
        ds.take(50): 42, ds.repeat(2): 84, ds.shuffle(10).map(lambda x: x): 42,
        Dataset.zip((ds, ds.take(3))): 3, ds.concatenate(ds): 84,
        ds.concatenate(ds.repeat()): -1, ds.filter(bool).take(3): -2,
    }
    for dataset, expected in cases.items():
        assert int(dataset.cardinality()) == expected, dataset
    assert int(tf.data.experimental.cardinality(ds)) == 42
    assert ds.cardinality().dtype == np.int64


def test_len_and_repr():
    assert len(Dataset.range(7)) == 7
    with pytest.raises(TypeError, match="infinite"):
        len(Dataset.range(7).repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(Dataset.range(7).filter(lambda x: x > 2))
    assert repr(Dataset.from_tensor_slices([1, 2])) == \
        "<_TensorSliceDataset element_spec=TensorSpec(shape=(), " \
        "dtype=baro.int32, name=None)>"


# -- errors ----------------------------------------------------------------------------
def test_clear_errors():
    with pytest.raises(ValueError, match=r"same size in the first dimension.*\[3, 2\]"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(ValueError, match="rank >= 1.*from_tensors"):
        Dataset.from_tensor_slices(5)
    with pytest.raises(ValueError, match="batch_size must be >= 1, received 0"):
        Dataset.range(3).batch(0)
    with pytest.raises(ValueError, match="buffer_size must be >= 1"):
        Dataset.range(3).shuffle(0)
    with pytest.raises(TypeError, match="take: count must be an integer"):
        Dataset.range(3).take("2")
    ragged = Dataset.from_generator(lambda: iter([[1, 2], [3]]))
    with pytest.raises(ValueError, match=r"component 0.*shape \(2,\).*element 1 has "
                                         r"shape \(1,\)"):
        values(ragged.batch(2))


def test_from_generator_errors():
    def gen():
        yield [1, 2, 3]

    with pytest.raises(TypeError, match="not its result"):
        Dataset.from_generator(gen())
    wrong_shape = Dataset.from_generator(
        gen, output_signature=tf.data.TensorSpec((2,), tf.int32))
    with pytest.raises(ValueError, match=r"shape \(3,\) where an element of shape "
                                         r"\(2,\) was expected"):
        values(wrong_shape)
    floats = Dataset.from_generator(lambda: iter([1.5]),
                                    output_signature=tf.data.TensorSpec((), tf.int32))
    with pytest.raises(TypeError, match="dtype float32 where int32"):
        values(floats)


# -- model.fit / evaluate / predict ---------------------------------------------------
def _quadrants(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    return x, (x[:, 0] * x[:, 1] > 0).astype("int64")


def _model():
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(32, activation="relu", input_dim=2),
        tf.keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_tutorial_pipeline_trains_with_fit():
    tf.random.set_seed(0)
    x, y = _quadrants(2000, seed=0)
    train = tf.data.Dataset.from_tensor_slices((x[:1600], y[:1600]))
    train = train.shuffle(1000).batch(32).prefetch(tf.data.AUTOTUNE)
    val = tf.data.Dataset.from_tensor_slices((x[1600:], y[1600:])).batch(64)
    model = _model()
    history = model.fit(train, epochs=10, validation_data=val, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy",
                                       "val_loss"]
    assert len(history.history["loss"]) == 10
    # The XOR-of-signs task: a 32-unit MLP gets above 95% in 10 epochs.
    assert history.history["val_accuracy"][-1] >= 0.95
    loss, accuracy = model.evaluate(val, verbose=0)
    assert accuracy >= 0.95
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-6)


def test_evaluate_and_predict_match_arrays():
    x, y = _quadrants(100, seed=1)
    model = _model()
    from_arrays = model.evaluate(x, y, batch_size=16, verbose=0)
    ds = Dataset.from_tensor_slices((x, y)).batch(16)
    assert model.evaluate(ds, verbose=0) == pytest.approx(from_arrays, rel=1e-6)
    expected = model.predict(x, batch_size=16, verbose=0)
    np.testing.assert_allclose(model.predict(ds, verbose=0), expected, rtol=1e-6)
    x_only = Dataset.from_tensor_slices(x).batch(16)
    np.testing.assert_allclose(model.predict(x_only, verbose=0), expected, rtol=1e-6)


def test_sample_weights_from_the_dataset():
    x, y = _quadrants(64, seed=2)
    w = np.where(np.arange(64) < 32, 1.0, 0.0).astype("float32")
    model = _model()
    expected = model.evaluate(x, y, sample_weight=w, batch_size=16, verbose=0)
    ds = Dataset.from_tensor_slices((x, y, w)).batch(16)
    assert model.evaluate(ds, verbose=0) == pytest.approx(expected, rel=1e-6)


def test_repeat_needs_steps_per_epoch():
    x, y = _quadrants(64, seed=3)
    ds = Dataset.from_tensor_slices((x, y)).batch(16).repeat()
    model = _model()
    with pytest.raises(ValueError, match="infinitely repeating.*steps_per_epoch"):
        model.fit(ds, epochs=1, verbose=0)
    history = model.fit(ds, epochs=3, steps_per_epoch=5, verbose=0)
    assert len(history.history["loss"]) == 3
    with pytest.raises(ValueError, match="steps="):
        model.evaluate(ds, verbose=0)
    assert len(model.evaluate(ds, steps=2, verbose=0)) == 2


def test_steps_per_epoch_streams_across_epochs_and_warns_when_data_runs_out():
    ds = Dataset.range(5).map(lambda i: (tf.fill((1, 2), tf.cast(i, tf.float32)),
                                          tf.reshape(i % 2, (1,))))
    batches = training_data.make_batches(ds, steps=2)
    seen = [[float(x[0, 0]) for x, _, _ in batches.epoch()] for _ in range(2)]
    assert seen == [[0.0, 1.0], [2.0, 3.0]]  # the iterator carries on
    with pytest.warns(UserWarning, match="ran out of data"):
        assert [float(x[0, 0]) for x, _, _ in batches.epoch()] == [4.0]
    assert [float(x[0, 0]) for x, _, _ in batches.epoch()] == [0.0, 1.0]


def test_fit_reiterates_the_dataset_every_epoch():
    ds = Dataset.range(12).shuffle(12, seed=4).batch(12)
    batches = training_data.make_batches(ds, batch_size=5, shuffle=False)
    first, second = ([x.tolist() for x, _, _ in batches.epoch()] for _ in range(2))
    assert sorted(first[0]) == sorted(second[0]) == list(range(12))
    assert first != second  # each epoch is a fresh, reshuffled pass
    assert len(batches) == 1  # batch_size belongs to the dataset, not to fit


def test_any_reiterable_feeds_fit():
    x, y = _quadrants(32, seed=5)

    class Batches:
        passes = 0

        def __iter__(self):
            Batches.passes += 1
            return iter([(x[:16], y[:16]), (x[16:], y[16:])])

    history = _model().fit(Batches(), epochs=3, steps_per_epoch=2, verbose=0)
    assert len(history.history["loss"]) == 3 and Batches.passes == 3


def test_class_weight_with_a_dataset():
    x, y = _quadrants(32, seed=6)
    model = _model()
    ds = Dataset.from_tensor_slices((x, y)).batch(8)
    history = model.fit(ds, class_weight={0: 1.0, 1: 0.0}, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    batches = training_data.make_batches(ds, class_weight={0: 1.0, 1: 0.0})
    _, yb, weights = next(batches.epoch())
    np.testing.assert_array_equal(weights, (yb == 0).astype("float32"))


def test_dataset_argument_errors():
    x, y = _quadrants(32, seed=7)
    ds = Dataset.from_tensor_slices((x, y)).batch(8)
    model = _model()
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(ds, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported when using "
                                         "a dataset"):
        model.fit(ds, y, verbose=0)


def test_fit_on_a_dataset_of_unknown_length():
    x, y = _quadrants(32, seed=8)
    ds = Dataset.from_tensor_slices((x, y)).filter(lambda a, b: b >= 0).batch(8)
    history = _model().fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
