"""The embedded 8x8 digits: file integrity, the fixed split, and that the
labels really belong to the images."""

import hashlib

import numpy as np
import pytest

from baro.datasets.embedded import digits, load_digits

# SHA-256 of the arrays' bytes, computed from scikit-learn 1.9.1's
# sklearn/datasets/data/digits.csv.gz when the file was made.
IMAGES_SHA256 = "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3"
LABELS_SHA256 = "8ba4f891220f5e4c9c819638d1602d74b83618f167043c6da52a2a247841ddf0"
# Rows 1 and 1000 of digits.csv.gz (64 pixels, then the label).
ROW_1 = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8,
         0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0,
         0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0, 0]
ROW_1000 = [0, 0, 9, 15, 14, 2, 0, 0, 0, 0, 9, 3, 9, 8, 0, 0, 0, 0, 0, 0, 6, 10, 0,
            0, 0, 0, 0, 10, 15, 2, 0, 0, 0, 0, 2, 10, 11, 15, 2, 0, 0, 3, 1, 0, 0,
            14, 4, 0, 0, 10, 13, 7, 2, 12, 4, 0, 0, 0, 7, 14, 16, 10, 0, 0, 3]


def test_file_holds_the_uci_digits_unchanged():
    x, y = load_digits(return_images=True, split=False)
    assert x.shape == (1797, 8, 8) and x.dtype == np.uint8
    assert y.shape == (1797,) and y.dtype == np.uint8
    assert hashlib.sha256(x.tobytes()).hexdigest() == IMAGES_SHA256
    assert hashlib.sha256(y.tobytes()).hexdigest() == LABELS_SHA256
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174,
                                       180]
    assert int(x.min()) == 0 and int(x.max()) == 16
    assert x[0].reshape(-1).tolist() + [int(y[0])] == ROW_1
    assert x[999].reshape(-1).tolist() + [int(y[999])] == ROW_1000


def test_split_is_fixed_disjoint_and_stratified():
    (x_train, y_train), (x_test, y_test) = load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert np.bincount(y_test).tolist() == [36] * 10
    x_all, y_all = load_digits(split=False)
    # Train and test partition the data: together they are every sample once.
    def samples(x, y):
        return sorted(row.tobytes() + bytes([label])
                      for row, label in zip(x, y, strict=True))

    assert samples(np.concatenate([x_train, x_test]),
                   np.concatenate([y_train, y_test])) == samples(x_all, y_all)
    again = load_digits()
    assert np.array_equal(again[1][0], x_test) and np.array_equal(again[0][1], y_train)


def test_flat_and_image_layouts_agree_and_load_data_gives_images():
    (flat, _), _ = load_digits()
    (images, labels), (test_images, _) = digits.load_data()
    assert images.shape == (1437, 8, 8) and test_images.shape == (360, 8, 8)
    assert np.array_equal(images.reshape(-1, 64), flat)
    assert labels[:5].tolist() == [0, 1, 2, 4, 5]


def test_labels_match_the_images():
    # A nearest-centroid classifier fitted on the training split must do far
    # better than chance (10%) on the test split if each label fits its image.
    (x_train, y_train), (x_test, y_test) = load_digits()
    x_train, x_test = x_train / 16.0, x_test / 16.0
    centroids = np.stack([x_train[y_train == c].mean(0) for c in range(10)])
    distances = ((x_test[:, None, :] - centroids[None]) ** 2).sum(-1)
    accuracy = (distances.argmin(1) == y_test).mean()
    assert accuracy > 0.85


def test_missing_file_says_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(digits, "DATA_FILE", tmp_path / "digits.npz")
    with pytest.raises(FileNotFoundError, match="Reinstall baro"):
        load_digits()


def test_attribution_is_shipped():
    license_text = digits.DATA_FILE.with_name("LICENSE-digits.txt").read_text()
    assert "CC BY 4.0" in license_text and "Alpaydin" in license_text
    assert "Alpaydin" in digits.__doc__ and "CC BY 4.0" in digits.__doc__
