"""Reuters from a small Keras-format .npz (keys x, y), compared with a
transcription of Keras's loader; label names and the word index."""

import json

import numpy as np
import pytest

from baro.datasets import reuters
from tests.datasets.test_imdb import ragged


def write_reuters(path, n=20, seed=3):
    rng = np.random.default_rng(seed)
    np.savez(path, x=ragged(rng, n), y=rng.integers(0, 46, n))


def keras_reference(path, num_words=None, skip_top=0, maxlen=None, test_split=0.2,
                    seed=113, start_char=1, oov_char=2, index_from=3):
    """Keras 3's reuters.load_data, transcribed (our own file, so allow_pickle)."""
    with np.load(path, allow_pickle=True) as f:
        xs, labels = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
        xs, labels = [xs[i] for i in keep], [labels[i] for i in keep]
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = int(len(xs) * (1 - test_split))
    return (xs[:idx], np.array(labels[:idx])), (xs[idx:], np.array(labels[idx:]))


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 10, "skip_top": 4},
    {"maxlen": 8, "test_split": 0.3},
    {"test_split": 0.0, "seed": 1},
    {"oov_char": None, "num_words": 18},
])
def test_matches_keras_preparation(tmp_path, kwargs):
    write_reuters(tmp_path / "reuters.npz")
    (x_train, y_train), (x_test, y_test) = reuters.load_data(
        tmp_path / "reuters.npz", **kwargs)
    (rx_train, ry_train), (rx_test, ry_test) = keras_reference(
        tmp_path / "reuters.npz", **kwargs)
    assert x_train.dtype == object and x_train.ndim == 1
    assert [list(x) for x in x_train] == rx_train
    assert [list(x) for x in x_test] == rx_test
    assert y_train.tolist() == ry_train.tolist()
    assert y_test.tolist() == ry_test.tolist()


def test_default_split_sizes(tmp_path):
    write_reuters(tmp_path / "reuters.npz", n=11)
    (x_train, _), (x_test, _) = reuters.load_data(tmp_path / "reuters.npz")
    assert (len(x_train), len(x_test)) == (8, 3)  # int(11 * 0.8) = 8


def test_invalid_test_split(tmp_path):
    write_reuters(tmp_path / "reuters.npz")
    with pytest.raises(ValueError, match="test_split"):
        reuters.load_data(tmp_path / "reuters.npz", test_split=1.0)


def test_label_names_and_word_index(tmp_path):
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and names[-1] == "lead"
    (tmp_path / "w.json").write_text(json.dumps({"said": 1}))
    assert reuters.get_word_index(tmp_path / "w.json") == {"said": 1}
