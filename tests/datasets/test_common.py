"""What the loaders share: user paths vs the cache, npz keys, Keras's split, and
the package's exports."""

import numpy as np
import pytest

import baro.datasets
from baro.datasets.common import local_or_download, npz_arrays, shuffle_split
from tests.datasets.conftest import serve


def test_every_loader_is_exported():
    for name in ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
                 "boston_housing", "california_housing"):
        assert callable(getattr(baro.datasets, name).load_data), name
    assert set(baro.datasets.__all__) >= {"mnist", "imdb", "california_housing"}


def test_user_file_is_used_as_is_without_a_hash_check(tmp_path, home, server):
    (tmp_path / "mine.npz").write_bytes(b"whatever the user has")
    path = local_or_download(tmp_path / "mine.npz", server.url("/x"), "0" * 64)
    assert path == tmp_path / "mine.npz" and server.hits == []


def test_home_folder_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "data.csv").write_text("1")
    assert local_or_download("~/data.csv", "http://127.0.0.1:9/x", None) == \
        tmp_path / "data.csv"


def test_bare_name_goes_through_the_cache(tmp_path, home, server):
    url, sha = serve(server, "thing.bin", b"payload")
    path = local_or_download("thing.bin", [url], sha)
    assert path == home / "datasets" / "thing.bin"


def test_npz_arrays_names_missing_keys(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.zeros(2))
    assert npz_arrays(tmp_path / "a.npz", ("x",))["x"].shape == (2,)
    with pytest.raises(ValueError, match=r"lacks the arrays \['y'\]"):
        npz_arrays(tmp_path / "a.npz", ("x", "y"))


def test_shuffle_split_is_kerass_formula():
    x = np.arange(506)
    (x_train, y_train), (x_test, _) = shuffle_split(x, x * 2, 0.2, 113)
    assert (len(x_train), len(x_test)) == (404, 102)
    assert np.array_equal(y_train, x_train * 2)
    assert sorted(np.concatenate([x_train, x_test]).tolist()) == x.tolist()
    legacy = np.arange(506)
    np.random.seed(113)  # tf.keras 2.x shuffled through the global generator
    np.random.shuffle(legacy)
    assert np.array_equal(np.concatenate([x_train, x_test]), legacy)
    with pytest.raises(ValueError, match="rows"):
        shuffle_split(x, x[:3], 0.2, 113)
