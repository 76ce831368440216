"""IMDB from a small Keras-format .npz (object arrays of lists), compared with a
line-by-line transcription of Keras's loader; the word index JSON; downloads."""

import hashlib
import json

import numpy as np
import pytest

from baro.datasets import imdb
from baro.utils.file_utils import DownloadError
from tests.datasets.conftest import serve
from tests.utils.test_file_utils import refused_url


def ragged(rng, n, vocabulary=30, longest=12):
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = rng.integers(1, vocabulary, rng.integers(1, longest)).tolist()
    return out


def write_imdb(path, seed=0):
    rng = np.random.default_rng(seed)
    np.savez(path, x_train=ragged(rng, 9), y_train=rng.integers(0, 2, 9),
             x_test=ragged(rng, 7), y_test=rng.integers(0, 2, 7))


def keras_reference(path, num_words=None, skip_top=0, maxlen=None, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """Keras 3's imdb.load_data, transcribed (our own file, so allow_pickle)."""
    with np.load(path, allow_pickle=True) as f:
        x_train, labels_train = f["x_train"], f["y_train"]
        x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    elif index_from:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    else:
        x_train = [list(x) for x in x_train]
        x_test = [list(x) for x in x_test]
    if maxlen:
        keep = [i for i, x in enumerate(x_train) if len(x) < maxlen]
        x_train, labels_train = [x_train[i] for i in keep], [labels_train[i]
                                                             for i in keep]
        keep = [i for i, x in enumerate(x_test) if len(x) < maxlen]
        x_test, labels_test = [x_test[i] for i in keep], [labels_test[i] for i in keep]
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 15},
    {"num_words": 20, "skip_top": 5},
    {"maxlen": 9},
    {"oov_char": None, "num_words": 12},
    {"start_char": None},
    {"start_char": None, "index_from": 0},
    {"seed": 7, "index_from": 5, "oov_char": 4},
])
def test_matches_keras_preparation(tmp_path, kwargs):
    path = tmp_path / "imdb.npz"
    write_imdb(path)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path, **kwargs)
    (ref_x_train, ref_y_train), (ref_x_test, ref_y_test) = keras_reference(
        path, **kwargs)
    assert x_train.dtype == object and x_train.ndim == 1
    assert [list(x) for x in x_train] == ref_x_train
    assert [list(x) for x in x_test] == ref_x_test
    assert y_train.tolist() == list(ref_y_train)
    assert y_test.tolist() == list(ref_y_test)
    assert all(isinstance(w, int) for x in x_train for w in x)


def test_maxlen_that_keeps_nothing_is_explained(tmp_path):
    write_imdb(tmp_path / "imdb.npz")
    with pytest.raises(ValueError, match="maxlen=1"):
        imdb.load_data(tmp_path / "imdb.npz", maxlen=1)


def test_equal_length_reviews_still_give_a_1d_object_array(tmp_path):
    x = np.empty(2, dtype=object)
    x[0], x[1] = [1, 2], [3, 4]
    np.savez(tmp_path / "imdb.npz", x_train=x, y_train=np.array([0, 1]), x_test=x,
             y_test=np.array([1, 0]))
    (x_train, _), _ = imdb.load_data(tmp_path / "imdb.npz")
    assert x_train.shape == (2,)


def test_download_and_word_index(tmp_path, home, server, monkeypatch):
    write_imdb(tmp_path / "src.npz")
    url, sha = serve(server, "imdb.npz", (tmp_path / "src.npz").read_bytes())
    monkeypatch.setattr(imdb, "ORIGIN", [url])
    monkeypatch.setattr(imdb, "SHA256", sha)
    (x_train, _), _ = imdb.load_data()
    assert len(x_train) == 9
    words = json.dumps({"the": 1, "and": 2}).encode()
    url, _ = serve(server, "imdb_word_index.json", words)
    monkeypatch.setattr(imdb, "WORD_INDEX_ORIGIN", [url])
    monkeypatch.setattr(imdb, "WORD_INDEX_MD5",
                        hashlib.md5(words).hexdigest())  # noqa: S324
    assert imdb.get_word_index() == {"the": 1, "and": 2}
    assert (home / "datasets" / "imdb_word_index.json").exists()


def test_user_word_index_file_and_bad_content(tmp_path):
    (tmp_path / "w.json").write_text(json.dumps({"movie": 17}))
    assert imdb.get_word_index(tmp_path / "w.json") == {"movie": 17}
    (tmp_path / "bad.json").write_text(json.dumps(["movie"]))
    with pytest.raises(ValueError, match="word index"):
        imdb.get_word_index(tmp_path / "bad.json")


def test_offline_names_the_cache_path(home, monkeypatch):
    monkeypatch.setattr(imdb, "ORIGIN", [refused_url()])
    with pytest.raises(DownloadError, match="imdb.npz"):
        imdb.load_data()
