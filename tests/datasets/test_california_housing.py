"""California housing from a Keras-format .npz: versions and Keras's split."""

import numpy as np
import pytest

from baro.datasets import california_housing
from tests.datasets.conftest import serve


def write(path, n=700):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(n, 8)), rng.uniform(1e4, 5e5, n)
    np.savez(path, x=x, y=y)
    return x, y


@pytest.mark.parametrize("version, n", [("large", 700), ("small", 600)])
def test_versions_and_split(tmp_path, version, n):
    x, y = write(tmp_path / "c.npz")
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(
        version, path=tmp_path / "c.npz")
    indices = np.arange(n)
    np.random.RandomState(113).shuffle(indices)
    cut = int(n * 0.8)
    np.testing.assert_array_equal(x_train, x[:n][indices[:cut]])
    np.testing.assert_array_equal(y_test, y[:n][indices[cut:]])
    assert x_test.shape == (n - cut, 8) and y_train.shape == (cut,)


def test_download(tmp_path, home, server, monkeypatch):
    write(tmp_path / "src.npz", n=50)
    url, sha = serve(server, "california_housing.npz",
                     (tmp_path / "src.npz").read_bytes())
    monkeypatch.setattr(california_housing, "ORIGIN", url)
    monkeypatch.setattr(california_housing, "SHA256", sha)
    (x_train, _), (x_test, _) = california_housing.load_data(test_split=0.1)
    assert (len(x_train), len(x_test)) == (45, 5)


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data("medium")
    with pytest.raises(ValueError, match="test_split"):
        california_housing.load_data(test_split=1.5)
