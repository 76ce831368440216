"""Fashion-MNIST: IDX folders, .npz files, and the four-file download."""

import gzip
import io

import numpy as np
import pytest

from baro.datasets import fashion_mnist
from baro.datasets.idx import IDX_NAMES
from baro.utils.file_utils import DownloadError
from tests.datasets.conftest import serve
from tests.datasets.test_mnist import write_idx
from tests.utils.test_file_utils import refused_url


def _idx_files(folder, sizes=(("train", 4), ("test", 2)), gz=True) -> dict:
    rng = np.random.default_rng(1)
    arrays = {}
    for split, n in sizes:
        images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        suffix = ".gz" if gz else ""
        write_idx(folder / f"{IDX_NAMES[split][0]}{suffix}", images)
        write_idx(folder / f"{IDX_NAMES[split][1]}{suffix}", labels)
        arrays[split] = (images, labels)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_folder_of_idx_files(tmp_path, gz):
    expected = _idx_files(tmp_path, gz=gz)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(tmp_path)
    assert np.array_equal(x_train, expected["train"][0])
    assert np.array_equal(y_test, expected["test"][1])
    assert x_train.dtype == np.uint8 and y_train.shape == (4,)


def test_npz_file(tmp_path):
    np.savez(tmp_path / "f.npz", x_train=np.ones((2, 28, 28), np.uint8),
             y_train=np.array([3, 9], np.uint8), x_test=np.zeros((1, 28, 28),
                                                                 np.uint8),
             y_test=np.array([0], np.uint8))
    (_, y_train), (x_test, _) = fashion_mnist.load_data(tmp_path / "f.npz")
    assert y_train.tolist() == [3, 9] and x_test.shape == (1, 28, 28)


def test_download_of_the_four_files(tmp_path, home, server, monkeypatch):
    source = tmp_path / "src"
    source.mkdir()
    expected = _idx_files(source)
    hashes = {}
    for path in source.iterdir():
        _, hashes[path.name] = serve(server, "keras/" + path.name, path.read_bytes())
    monkeypatch.setattr(fashion_mnist, "KERAS_ORIGIN", server.url("/keras/"))
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", hashes)
    (x_train, _), (_, y_test) = fashion_mnist.load_data()
    assert np.array_equal(x_train, expected["train"][0])
    assert np.array_equal(y_test, expected["test"][1])
    cached = home / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in cached.iterdir()) == sorted(hashes)


def test_mirror_serves_when_keras_host_fails(tmp_path, home, server, monkeypatch):
    source = tmp_path / "src"
    source.mkdir()
    _idx_files(source)
    hashes = {p.name: serve(server, "zalando/" + p.name, p.read_bytes())[1]
              for p in source.iterdir()}
    monkeypatch.setattr(fashion_mnist, "KERAS_ORIGIN", server.url("/missing/"))
    monkeypatch.setattr(fashion_mnist, "MIRROR", server.url("/zalando/"))
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", hashes)
    (x_train, _), _ = fashion_mnist.load_data()
    assert x_train.shape == (4, 28, 28)


def test_offline_names_all_four_files_and_the_folder(home, monkeypatch):
    url = refused_url()
    monkeypatch.setattr(fashion_mnist, "KERAS_ORIGIN", url + "/")
    monkeypatch.setattr(fashion_mnist, "MIRROR", url + "/")
    with pytest.raises(DownloadError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert str(home / "datasets" / "fashion-mnist") in message
    assert all(name in message for name in fashion_mnist.FILE_HASHES)


def test_truncated_gzip_member_is_reported(tmp_path):
    _idx_files(tmp_path)
    path = tmp_path / f"{IDX_NAMES['train'][0]}.gz"
    raw = gzip.decompress(path.read_bytes())
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as f:
        f.write(raw[:-100])
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="truncated"):
        fashion_mnist.load_data(tmp_path)


def test_class_names():
    assert len(fashion_mnist.CLASS_NAMES) == 10
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"
