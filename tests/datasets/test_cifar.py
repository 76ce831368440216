"""CIFAR-10 and CIFAR-100 from small tarballs and folders written here in both
formats (pickled python batches and binary records), through the real parsing
code; malicious and truncated batches are refused."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from baro.datasets import cifar10, cifar100
from baro.datasets.cifar import parse_binary_batch
from baro.utils.file_utils import DownloadError
from tests.datasets.conftest import serve
from tests.datasets.test_safe_pickle import RunsACommand
from tests.utils.test_file_utils import refused_url


def python_batch(images, labels: dict, protocol=2) -> bytes:
    """A batch as the CIFAR site ships it: bytes keys (Python 2 str), the pixels
    as uint8 (n, 3072), labels as lists."""
    batch = {b"batch_label": b"training batch",
             b"data": images.reshape(len(images), -1),
             b"filenames": [b"img_%d.png" % i for i in range(len(images))]}
    batch.update({key.encode(): list(map(int, value))
                  for key, value in labels.items()})
    return pickle.dumps(batch, protocol=protocol)


def write_tar(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def random_split(rng, n, classes=10):
    images = rng.integers(0, 256, (n, 3, 32, 32)).astype(np.uint8)
    return images, rng.integers(0, classes, n)


@pytest.fixture
def cifar10_data():
    rng = np.random.default_rng(10)
    train = [random_split(rng, n) for n in (2, 3, 1, 2, 2)]
    return train, random_split(rng, 3)


def cifar10_python_members(train, test, protocols=(2, 3, 4, 5, 2)):
    members = {f"cifar-10-batches-py/data_batch_{i + 1}":
               python_batch(x, {"labels": y}, protocols[i])
               for i, (x, y) in enumerate(train)}
    members["cifar-10-batches-py/test_batch"] = python_batch(test[0],
                                                             {"labels": test[1]})
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps(
        {b"label_names": [b"airplane"]}, protocol=2)
    return members


def cifar10_binary_members(train, test):
    def records(x, y):
        return np.concatenate([y.astype(np.uint8)[:, None], x.reshape(len(x), -1)],
                              axis=1).tobytes()
    members = {f"cifar-10-batches-bin/data_batch_{i + 1}.bin": records(x, y)
               for i, (x, y) in enumerate(train)}
    members["cifar-10-batches-bin/test_batch.bin"] = records(*test)
    return members


def check_cifar10(loaded, train, test):
    (x_train, y_train), (x_test, y_test) = loaded
    expected_x = np.concatenate([x for x, _ in train])
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1)
    # Channels last: pixel (row, col) of channel c is data[c * 1024 + row * 32 + col].
    flat = expected_x.reshape(10, 3072)
    assert x_train[4, 5, 7, 2] == flat[4, 2 * 1024 + 5 * 32 + 7]
    assert np.array_equal(x_train, expected_x.transpose(0, 2, 3, 1))
    assert y_train[:, 0].tolist() == np.concatenate([y for _, y in train]).tolist()
    assert np.array_equal(x_test, test[0].transpose(0, 2, 3, 1))
    assert y_test[:, 0].tolist() == test[1].tolist()


def test_cifar10_python_tarball(tmp_path, cifar10_data):
    train, test = cifar10_data
    write_tar(tmp_path / "cifar-10-python.tar.gz",
              cifar10_python_members(train, test))
    check_cifar10(cifar10.load_data(tmp_path / "cifar-10-python.tar.gz"), train, test)


def test_cifar10_binary_tarball_and_extracted_folders(tmp_path, cifar10_data):
    train, test = cifar10_data
    write_tar(tmp_path / "cifar-10-binary.tar.gz", cifar10_binary_members(train, test))
    check_cifar10(cifar10.load_data(tmp_path / "cifar-10-binary.tar.gz"), train, test)
    for members in (cifar10_binary_members(train, test),
                    cifar10_python_members(train, test)):
        root = tmp_path / f"extracted{len(os.listdir(tmp_path))}"
        for name, data in members.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        check_cifar10(cifar10.load_data(root), train, test)  # parent folder
        check_cifar10(cifar10.load_data(root / next(iter(members)).split("/")[0]),
                      train, test)


def test_cifar10_malicious_batch_is_rejected(tmp_path, cifar10_data):
    train, test = cifar10_data
    marker = tmp_path / "pwned"
    members = cifar10_python_members(train, test)
    members["cifar-10-batches-py/data_batch_3"] = pickle.dumps(
        {b"data": RunsACommand(marker), b"labels": [0]})
    write_tar(tmp_path / "evil.tar.gz", members)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        cifar10.load_data(tmp_path / "evil.tar.gz")
    assert not marker.exists()


def test_cifar10_download_reads_the_cached_tarball(tmp_path, home, server,
                                                   monkeypatch, cifar10_data):
    train, test = cifar10_data
    write_tar(tmp_path / "src.tar.gz", cifar10_python_members(train, test))
    url, sha = serve(server, "cifar-10-python.tar.gz",
                     (tmp_path / "src.tar.gz").read_bytes())
    monkeypatch.setattr(cifar10, "ORIGIN", url)
    monkeypatch.setattr(cifar10, "SHA256", sha)
    check_cifar10(cifar10.load_data(), train, test)
    assert (home / "datasets" / "cifar-10-python.tar.gz").exists()


def test_cifar10_offline_and_wrong_inputs(tmp_path, home, monkeypatch):
    monkeypatch.setattr(cifar10, "ORIGIN", refused_url())
    with pytest.raises(DownloadError, match="cifar-10-python.tar.gz"):
        cifar10.load_data()
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="data_batch_1"):
        cifar10.load_data(tmp_path / "empty")
    (tmp_path / "notes.txt").write_text("not a tarball")
    with pytest.raises(ValueError, match="tar archive"):
        cifar10.load_data(tmp_path / "notes.txt")


def test_cifar10_batch_with_wrong_shapes_is_explained(tmp_path, cifar10_data):
    train, test = cifar10_data
    members = cifar10_python_members(train, test)
    members["cifar-10-batches-py/test_batch"] = pickle.dumps(
        {b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]})
    write_tar(tmp_path / "bad.tar.gz", members)
    with pytest.raises(ValueError, match="3072"):
        cifar10.load_data(tmp_path / "bad.tar.gz")


def test_binary_batch_must_be_whole_records():
    with pytest.raises(ValueError, match="whole number"):
        parse_binary_batch(b"\x00" * 3074, 1, 0, "test_batch.bin")


@pytest.fixture
def cifar100_data():
    rng = np.random.default_rng(100)
    splits = {}
    for split, n in (("train", 5), ("test", 2)):
        images, fine = random_split(rng, n, 100)
        splits[split] = (images, fine, fine // 5)
    return splits


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
@pytest.mark.parametrize("fmt", ["python", "binary"])
def test_cifar100_both_formats_and_label_modes(tmp_path, cifar100_data, label_mode,
                                               fmt):
    members = {}
    for split, (images, fine, coarse) in cifar100_data.items():
        if fmt == "python":
            members[f"cifar-100-python/{split}"] = python_batch(
                images, {"fine_labels": fine, "coarse_labels": coarse})
        else:
            members[f"cifar-100-binary/{split}.bin"] = np.concatenate(
                [coarse.astype(np.uint8)[:, None], fine.astype(np.uint8)[:, None],
                 images.reshape(len(images), -1)], axis=1).tobytes()
    write_tar(tmp_path / "c100.tar.gz", members)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(
        label_mode, path=tmp_path / "c100.tar.gz")
    column = 1 if label_mode == "fine" else 2
    assert x_train.shape == (5, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (5, 1) and y_train.dtype == np.int64
    assert y_train[:, 0].tolist() == cifar100_data["train"][column].tolist()
    assert y_test[:, 0].tolist() == cifar100_data["test"][column].tolist()
    assert np.array_equal(x_test, cifar100_data["test"][0].transpose(0, 2, 3, 1))


def test_cifar100_rejects_unknown_label_mode():
    with pytest.raises(ValueError, match="fine"):
        cifar100.load_data("medium")
