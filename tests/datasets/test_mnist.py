"""IDX parsing and the MNIST loader: real files when present, synthetic otherwise."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from baro.datasets import mnist
from baro.datasets.idx import read_idx
from baro.utils.file_utils import DownloadError
from tests.datasets.conftest import serve
from tests.utils.test_file_utils import refused_url

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"


def write_idx(path, array: np.ndarray, code: int = 0x08) -> None:
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I",
                                                          *array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)


def test_idx_round_trip_gz_and_raw(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", images)
    write_idx(tmp_path / "b", images)
    assert np.array_equal(read_idx(tmp_path / "a.gz"), images)
    assert np.array_equal(read_idx(tmp_path / "b"), images)
    floats = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3)
    write_idx(tmp_path / "c", floats, code=0x0D)
    assert np.array_equal(read_idx(tmp_path / "c"), floats)


def test_idx_rejects_bad_and_truncated_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="magic"):
        read_idx(tmp_path / "bad")
    write_idx(tmp_path / "short", np.zeros((4, 4), np.uint8))
    data = (tmp_path / "short").read_bytes()
    (tmp_path / "short").write_bytes(data[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short")


def test_load_data_from_a_folder_of_idx_files(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 5), ("test", 3)):
        write_idx(tmp_path / f"{mnist.IDX_NAMES[split][0]}.gz",
                  rng.integers(0, 256, (n, 28, 28)).astype(np.uint8))
        write_idx(tmp_path / f"{mnist.IDX_NAMES[split][1]}.gz",
                  rng.integers(0, 10, n).astype(np.uint8))
    (x_train, y_train), (x_test, y_test) = mnist.load_data(str(tmp_path))
    assert x_train.shape == (5, 28, 28) and y_test.shape == (3,)
    assert x_train.dtype == np.uint8


def test_load_data_from_a_keras_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2),
             x_test=np.ones((1, 28, 28), np.uint8), y_test=np.ones(1))
    (x_train, _), (x_test, y_test) = mnist.load_data(str(path))
    assert x_train.shape == (2, 28, 28) and x_test.sum() == 784


def test_missing_split_names_the_expected_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        mnist.load_idx_split(tmp_path, "test")


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/data/mnist here")
def test_real_mnist_test_set():
    x, y = mnist.load_idx_split(SHARED, "test")
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert y.shape == (10000,) and set(np.unique(y)) == set(range(10))
    assert y[:5].tolist() == [7, 2, 1, 0, 4]
    assert 30 < x.mean() < 40  # MNIST's mean pixel value is ~33


def _npz_bytes(tmp_path) -> bytes:
    path = tmp_path / "src.npz"
    np.savez(path, x_train=np.full((3, 28, 28), 7, np.uint8),
             y_train=np.arange(3, dtype=np.uint8),
             x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.ones(2, np.uint8))
    return path.read_bytes()


def test_download_checks_the_hash_and_caches(tmp_path, home, server, monkeypatch):
    url, sha = serve(server, "mnist.npz", _npz_bytes(tmp_path))
    monkeypatch.setattr(mnist, "ORIGIN", [url])
    monkeypatch.setattr(mnist, "SHA256", sha)
    (x_train, y_train), (x_test, _) = mnist.load_data()
    assert x_train.shape == (3, 28, 28) and y_train.tolist() == [0, 1, 2]
    assert (home / "datasets" / "mnist.npz").exists()
    mnist.load_data()
    assert server.hits == ["/mnist.npz"]


def test_offline_without_cache_says_where_to_put_the_file(home, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN", [refused_url()])
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    assert str(home / "datasets" / "mnist.npz") in str(info.value)
    assert "path=" in str(info.value)


def test_missing_user_path_is_a_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file or folder"):
        mnist.load_data(str(tmp_path / "nowhere" / "mnist.npz"))


def test_npz_without_keras_keys_is_explained(tmp_path):
    np.savez(tmp_path / "odd.npz", images=np.zeros(2))
    with pytest.raises(ValueError, match="x_train"):
        mnist.load_data(str(tmp_path / "odd.npz"))
