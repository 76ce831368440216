"""TextVectorization: Keras's documented examples, vocabulary order, the
output modes by hand, configuration round trips and errors."""

import numpy as np
import pytest

import baro
from baro.layers.preprocessing.text_vectorization import TextVectorization
from baro.saving.serialization import deserialize, serialize

DOCS = ["foo bar", "bar baz", "baz bada boom"]


def test_keras_doc_example_adapt():
    layer = TextVectorization(max_tokens=5000, output_mode="int",
                              output_sequence_length=4)
    layer.adapt(DOCS)
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == np.int64
    assert out.numpy().tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]


def test_keras_doc_example_given_vocabulary():
    layer = TextVectorization(max_tokens=5000, output_mode="int",
                              output_sequence_length=4,
                              vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert layer.get_vocabulary(include_special_tokens=False) == \
        ["earth", "wind", "and", "fire"]
    assert layer.vocabulary_size() == 6
    out = layer(["Earth, wind & fire!", "wind and rain and fire"]).numpy()
    assert out.tolist() == [[2, 3, 5, 0], [3, 4, 1, 4]]


def test_vocabulary_ranks_by_count_then_token_descending():
    layer = TextVectorization()
    layer.adapt(["b a c", "a b", "d"])  # a:2 b:2 c:1 d:1
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a", "d", "c"]
    capped = TextVectorization(max_tokens=4)
    capped.adapt(["b a c", "a b", "d"])
    assert capped.get_vocabulary() == ["", "[UNK]", "b", "a"]


def test_int_output_pads_to_longest_and_cuts_to_the_fixed_length():
    layer = TextVectorization(vocabulary=["a", "b", "c"])
    assert layer(["a b c a", "c"]).numpy().tolist() == [[2, 3, 4, 2], [4, 0, 0, 0]]
    short = TextVectorization(vocabulary=["a", "b", "c"], output_sequence_length=2)
    assert short(["a b c", "c"]).numpy().tolist() == [[2, 3], [4, 0]]
    # A single string gives one sequence.
    assert layer("c a").numpy().tolist() == [4, 2]


def test_multi_hot_count_and_vocabulary_without_padding_token():
    multi = TextVectorization(output_mode="multi_hot")
    multi.adapt(["the cat", "the dog the end"])
    vocab = multi.get_vocabulary()
    assert vocab == ["[UNK]", "the", "end", "dog", "cat"]
    out = multi(["the the bird", "cat"])
    assert out.dtype == np.float32
    assert out.numpy().tolist() == [[1, 1, 0, 0, 0], [0, 0, 0, 0, 1]]
    count = TextVectorization(output_mode="count", vocabulary=vocab)
    assert count(["the the bird bird bird"]).numpy().tolist() == [[3, 2, 0, 0, 0]]
    binary = TextVectorization(output_mode="binary", vocabulary=["x"])
    assert binary.output_mode == "multi_hot"


def test_pad_to_max_tokens_fixes_the_width():
    layer = TextVectorization(max_tokens=6, output_mode="multi_hot",
                              pad_to_max_tokens=True)
    layer.adapt(["a b"])  # vocabulary ["[UNK]", "b", "a"]: ties, token descending
    assert layer(["b"]).numpy().tolist() == [[0, 1, 0, 0, 0, 0]]
    assert layer.compute_output_shape((None,)) == (None, 6)


def test_tf_idf_by_hand():
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["a a b", "a c", "a"])
    # df: a 3, b 1, c 1 over 3 documents; idf = log(1 + N / (1 + df)).
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    idf_a, idf_bc = np.log(1 + 3 / 4), np.log(1 + 3 / 2)
    idf_oov = np.mean([idf_a, idf_bc, idf_bc])
    out = layer(["a a c z"]).numpy()[0]
    np.testing.assert_allclose(out, [idf_oov, 2 * idf_a, idf_bc, 0], rtol=1e-6)
    given = TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"],
                              idf_weights=[0.5, 1.5])
    np.testing.assert_allclose(given(["b a z"]).numpy(), [[1.0, 0.5, 1.5]])


def test_standardize_split_and_ngrams_options():
    lower = TextVectorization(standardize="lower", vocabulary=["hi!"])
    assert lower(["HI! hi"]).numpy().tolist() == [[2, 1]]
    keep = TextVectorization(standardize=None, vocabulary=["Hi"])
    assert keep(["Hi hi"]).numpy().tolist() == [[2, 1]]
    strip = TextVectorization(standardize="strip_punctuation", vocabulary=["Hi"])
    assert strip(["H.i hi"]).numpy().tolist() == [[2, 1]]
    custom = TextVectorization(standardize=lambda s: s.replace("x", "y"),
                               split=lambda s: s.split("-"), vocabulary=["y", "z"])
    assert custom(["x-z-q"]).numpy().tolist() == [[2, 3, 1]]
    chars = TextVectorization(split="character")
    chars.adapt(["abca"])
    assert chars.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]
    whole = TextVectorization(split=None, vocabulary=["new york", "paris"])
    assert whole(["New York", "Paris", "Rome"]).numpy().tolist() == [2, 3, 1]
    grams = TextVectorization(ngrams=2)
    grams.adapt(["a b c"])
    assert sorted(grams.get_vocabulary()[2:]) == ["a", "a b", "b", "b c", "c"]
    assert grams(["a b"]).numpy().tolist() == \
        [[grams.get_vocabulary().index(t) for t in ("a", "b", "a b")]]


def test_input_shapes():
    layer = TextVectorization(vocabulary=["a"])
    assert layer(np.array([["a a"], ["a"]])).shape == (2, 2)
    assert layer([b"a", b"b"]).numpy().tolist() == [[2], [1]]
    with pytest.raises(ValueError, match=r"\(batch,\) or \(batch, 1\)"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="expects strings"):
        layer([1, 2])


def test_set_vocabulary_rules(tmp_path):
    layer = TextVectorization()
    layer.set_vocabulary(["", "[UNK]", "x", "y"])
    assert layer.get_vocabulary() == ["", "[UNK]", "x", "y"]
    path = tmp_path / "vocab.txt"
    path.write_text("alpha\nbeta\n", encoding="utf-8")
    from_file = TextVectorization(vocabulary=str(path))
    assert from_file(["beta alpha"]).numpy().tolist() == [[3, 2]]
    with pytest.raises(ValueError, match="repeats"):
        layer.set_vocabulary(["x", "x"])
    with pytest.raises(ValueError, match="unexpected position"):
        layer.set_vocabulary(["x", ""])
    with pytest.raises(ValueError, match="exceeds max_tokens"):
        TextVectorization(max_tokens=3, vocabulary=["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        layer.set_vocabulary([])
    with pytest.raises(FileNotFoundError):
        layer.set_vocabulary(str(tmp_path / "missing.txt"))
    with pytest.raises(ValueError, match="fixed vocabulary"):
        layer.adapt(["a"])


def test_adapt_accepts_batches_and_datasets():
    def batches():
        yield np.array(["a b"]), np.array([0])
        yield np.array(["b"]), np.array([1])

    layer = TextVectorization()
    layer.adapt(batches())
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a"]

    class Texts(baro.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.array([["c c", "d"], ["d"]][i])

    layer.adapt(Texts())  # adapting again starts afresh
    assert layer.get_vocabulary() == ["", "[UNK]", "d", "c"]
    limited = TextVectorization()
    limited.adapt(batches(), steps=1)
    assert limited.get_vocabulary() == ["", "[UNK]", "b", "a"]


def test_config_round_trip_keeps_the_adapted_vocabulary():
    for mode in ("int", "multi_hot", "tf_idf"):
        layer = TextVectorization(output_mode=mode, max_tokens=10)
        layer.adapt(DOCS)
        restored = deserialize(serialize(layer))
        assert isinstance(restored, TextVectorization)
        assert restored.get_vocabulary() == layer.get_vocabulary()
        probe = ["foo baz qux", "bada"]
        np.testing.assert_allclose(restored(probe).numpy(), layer(probe).numpy(),
                                   rtol=1e-6)
        restored.adapt(["new words"])  # an adapted layer stays adaptable


def test_symbolic_inputs_are_refused_with_advice():
    layer = TextVectorization(vocabulary=["a"])
    with pytest.raises(TypeError, match="before fit"):
        layer(baro.keras.Input((1,)))


def test_feeds_an_embedding_model():
    layer = TextVectorization(output_sequence_length=5)
    layer.adapt(["good movie", "bad movie", "good good fun"])
    ids = layer(["good fun", "bad"])
    model = baro.keras.Sequential([
        baro.keras.layers.Embedding(layer.vocabulary_size(), 4),
        baro.keras.layers.GlobalAveragePooling1D(),
        baro.keras.layers.Dense(1, activation="sigmoid")])
    assert model(ids).shape == (2, 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"standardize": "upper"}, "standardize"),
    ({"split": "comma"}, "split"),
    ({"output_mode": "one_hot"}, "output_mode"),
    ({"ngrams": 0}, "ngrams"),
    ({"ngrams": 2, "split": None}, "ngrams need split"),
    ({"output_mode": "count", "output_sequence_length": 3}, "only valid"),
    ({"output_sequence_length": 0}, "positive integer"),
    ({"max_tokens": 1}, "max_tokens"),
    ({"pad_to_max_tokens": True}, "needs max_tokens"),
    ({"idf_weights": [1.0]}, "idf_weights"),
    ({"output_mode": "tf_idf", "vocabulary": ["a"]}, "idf_weights"),
    ({"sparse": True}, "not supported"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TextVectorization(**kwargs)


def test_calling_a_vector_mode_before_a_vocabulary_is_an_error():
    with pytest.raises(RuntimeError, match="set the vocabulary"):
        TextVectorization(output_mode="multi_hot")(["a"])
