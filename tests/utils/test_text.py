"""The Keras Tokenizer: word ranking, OOV handling, matrices, JSON round trip."""

import json

import numpy as np
import pytest

from baro.utils.text import Tokenizer, text_to_word_sequence, tokenizer_from_json

TEXTS = ["The cat sat on the mat.", "The dog sat on the log.",
         "Dogs and cats living together."]


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!  Again\tand\nagain") == \
        ["hello", "world", "again", "and", "again"]
    assert text_to_word_sequence("A-b c", lower=False) == ["A", "b", "c"]
    assert text_to_word_sequence("a,b;c", filters="", split=";") == ["a,b", "c"]


def test_word_index_ranks_by_count_then_first_appearance():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    # Counts: the 4, sat 2, on 2, then the words seen once in reading order.
    assert list(tokenizer.word_index.items()) == [
        ("the", 1), ("sat", 2), ("on", 3), ("cat", 4), ("mat", 5), ("dog", 6),
        ("log", 7), ("dogs", 8), ("and", 9), ("cats", 10), ("living", 11),
        ("together", 12)]
    assert tokenizer.index_word[1] == "the"
    assert tokenizer.word_counts["the"] == 4 and tokenizer.word_docs["the"] == 2
    assert tokenizer.index_docs[2] == 2 and tokenizer.document_count == 3
    assert tokenizer.texts_to_sequences(["the cat sat on the hat"]) == \
        [[1, 4, 2, 3, 1]]


def test_oov_token_and_num_words():
    tokenizer = Tokenizer(num_words=4, oov_token="<OOV>")
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index["<OOV>"] == 1 and tokenizer.word_index["the"] == 2
    assert len(tokenizer.word_index) == 13  # word_index keeps every word
    # Only indices below num_words survive; the rest become the OOV index.
    assert tokenizer.texts_to_sequences(["the cat sat on a mat"]) == \
        [[2, 1, 3, 1, 1, 1]]
    assert tokenizer.sequences_to_texts([[2, 1, 3, 9]]) == ["the <OOV> sat <OOV>"]
    plain = Tokenizer(num_words=3)
    plain.fit_on_texts(TEXTS)
    assert plain.texts_to_sequences(["the cat sat"]) == [[1, 2]]


def test_char_level_and_pretokenized_lists():
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(["aab", "Ba"])
    assert tokenizer.word_index == {"a": 1, "b": 2}
    tokens = Tokenizer()
    tokens.fit_on_texts([["New York", "is"], ["new york"]])
    assert tokens.word_index == {"new york": 1, "is": 2}


def test_matrix_modes_by_hand():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["a a b", "b c"])  # a:1 (2), b:2 (2), c:3 (1)
    seqs = [[1, 1, 2], [3]]
    assert tokenizer.sequences_to_matrix(seqs, "binary").tolist() == \
        [[0, 1, 1, 0], [0, 0, 0, 1]]
    assert tokenizer.sequences_to_matrix(seqs, "count").tolist() == \
        [[0, 2, 1, 0], [0, 0, 0, 1]]
    np.testing.assert_allclose(tokenizer.sequences_to_matrix(seqs, "freq"),
                               [[0, 2 / 3, 1 / 3, 0], [0, 0, 0, 1]])
    tfidf = tokenizer.sequences_to_matrix(seqs, "tfidf")
    # (1 + log count) * log(1 + documents / (1 + documents containing it))
    np.testing.assert_allclose(tfidf[0, 1], (1 + np.log(2)) * np.log(1 + 2 / 2))
    np.testing.assert_allclose(tfidf[1, 3], np.log(1 + 2 / 2))
    np.testing.assert_allclose(tokenizer.texts_to_matrix(["a c"], "count"),
                               [[0, 1, 0, 1]])
    with pytest.raises(ValueError, match="mode"):
        tokenizer.sequences_to_matrix(seqs, "onehot")
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer().sequences_to_matrix(seqs)


def test_json_round_trip_is_plain_json():
    tokenizer = Tokenizer(num_words=10, oov_token="?")
    tokenizer.fit_on_texts(TEXTS)
    text = tokenizer.to_json()
    assert json.loads(text)["class_name"] == "Tokenizer"
    restored = tokenizer_from_json(text)
    assert restored.word_index == tokenizer.word_index
    assert restored.index_word == tokenizer.index_word
    probe = ["the dogs sat on a log"]
    assert restored.texts_to_sequences(probe) == tokenizer.texts_to_sequences(probe)
    np.testing.assert_allclose(restored.texts_to_matrix(probe, "tfidf"),
                               tokenizer.texts_to_matrix(probe, "tfidf"))
    with pytest.raises(ValueError, match="to_json"):
        tokenizer_from_json('{"class_name": "Other", "config": {}}')


def test_one_string_instead_of_a_list_is_an_error():
    tokenizer = Tokenizer()
    with pytest.raises(TypeError, match="wrap it in a list"):
        tokenizer.fit_on_texts("the cat")
    with pytest.raises(TypeError, match="wrap it in a list"):
        tokenizer.texts_to_sequences("the cat")
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer(num_words=0)
