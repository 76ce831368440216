"""Boston housing: CSV (with and without header), whitespace .data, .npz, a
folder, Keras's exact split; the real CSV from ../shared when present."""

from pathlib import Path

import numpy as np
import pytest

from baro.datasets import boston_housing
from baro.datasets.boston_housing import FEATURE_NAMES
from tests.datasets.conftest import serve

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "boston_housing"
HEADER = ",".join(f'"{n}"' for n in (*FEATURE_NAMES, "medv"))


def table(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return np.round(rng.uniform(0, 100, (n, 14)), 3)


def keras_split(x, y, test_split=0.2, seed=113):
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def check(loaded, values, **split):
    (x_train, y_train), (x_test, y_test) = loaded
    (ex_train, ey_train), (ex_test, ey_test) = keras_split(values[:, :13],
                                                           values[:, 13], **split)
    assert x_train.dtype == np.float64 and x_train.shape[1] == 13
    np.testing.assert_array_equal(x_train, ex_train)
    np.testing.assert_array_equal(y_train, ey_train)
    np.testing.assert_array_equal(x_test, ex_test)
    np.testing.assert_array_equal(y_test, ey_test)


def test_csv_with_header(tmp_path):
    values = table()
    lines = [HEADER] + [",".join(repr(float(v)) for v in row) for row in values]
    (tmp_path / "b.csv").write_text("\n".join(lines) + "\n")
    check(boston_housing.load_data(tmp_path / "b.csv"), values)


def test_header_in_another_order_and_case(tmp_path):
    values = table()
    order = [13, *range(13)]  # target first, upper case
    names = [(*FEATURE_NAMES, "medv")[i].upper() for i in order]
    lines = [",".join(names)] + [",".join(str(v) for v in row[order])
                                 for row in values]
    (tmp_path / "b.csv").write_text("\n".join(lines))
    check(boston_housing.load_data(tmp_path / "b.csv", test_split=0.3, seed=5),
          values, test_split=0.3, seed=5)


def test_headerless_csv_and_whitespace_data(tmp_path):
    values = table(seed=1)
    (tmp_path / "b.csv").write_text(
        "\n".join(",".join(str(v) for v in row) for row in values))
    check(boston_housing.load_data(tmp_path / "b.csv"), values)
    (tmp_path / "housing.data").write_text(
        "\n".join("  ".join(str(v) for v in row) for row in values))
    check(boston_housing.load_data(tmp_path / "housing.data"), values)


def test_npz_and_folder(tmp_path):
    values = table(seed=2)
    np.savez(tmp_path / "boston_housing.npz", x=values[:, :13], y=values[:, 13])
    check(boston_housing.load_data(tmp_path / "boston_housing.npz"), values)
    check(boston_housing.load_data(tmp_path), values)


def test_download(tmp_path, home, server, monkeypatch):
    values = table(seed=3)
    np.savez(tmp_path / "src.npz", x=values[:, :13], y=values[:, 13])
    url, sha = serve(server, "boston_housing.npz", (tmp_path / "src.npz").read_bytes())
    monkeypatch.setattr(boston_housing, "ORIGIN", [server.url("/gone"), url])
    monkeypatch.setattr(boston_housing, "SHA256", sha)
    check(boston_housing.load_data(), values)


def test_malformed_files_are_explained(tmp_path):
    (tmp_path / "na.csv").write_text(HEADER + "\n" + ",".join(["1"] * 13 + ["NA"]))
    with pytest.raises(ValueError, match="line 2.*'NA'.*medv"):
        boston_housing.load_data(tmp_path / "na.csv")
    (tmp_path / "short.csv").write_text("1,2,3\n")
    with pytest.raises(ValueError, match="14 values"):
        boston_housing.load_data(tmp_path / "short.csv")
    (tmp_path / "cols.csv").write_text("crim,zn\n1,2\n")
    with pytest.raises(ValueError, match="lacks the columns"):
        boston_housing.load_data(tmp_path / "cols.csv")
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(tmp_path / "cols.csv", test_split=-0.1)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="BostonHousing.csv"):
        boston_housing.load_data(tmp_path / "empty")


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/data/boston_housing")
def test_real_boston_csv_gives_keras_split():
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(
        SHARED / "BostonHousing.csv")
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13)
    assert y_train.shape == (404,) and y_test.shape == (102,)
    x = np.concatenate([x_train, x_test])
    assert x.shape == (506, 13) and x.dtype == np.float64
    # The first training rows as printed in "Deep Learning with Python" (Keras's
    # boston_housing.npz with the default split), so row order and split agree.
    assert y_train[:10].tolist() == [15.2, 42.3, 50.0, 21.1, 17.7, 18.5, 11.3,
                                     15.6, 15.6, 14.4]
    np.testing.assert_allclose(x_train[0], [1.23247, 0.0, 8.14, 0.0, 0.538, 6.142,
                                            91.7, 3.9769, 4.0, 307.0, 21.0, 396.9,
                                            18.72])
    assert 22.0 < np.concatenate([y_train, y_test]).mean() < 23.0  # 22.53
