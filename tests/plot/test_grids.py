"""baro.plot.images and mistakes: layouts, titles, and exactly the wrong ones in red."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

import baro.plot  # noqa: E402
from baro.plot.grids import WRONG, displayable  # noqa: E402


def red_titles(fig) -> list[int]:
    from matplotlib.colors import same_color

    return [i for i, ax in enumerate(fig.axes)
            if same_color(ax.title.get_color(), WRONG)]


def test_wrong_predictions_are_red_and_titles_read_true_slash_pred(tmp_path,
                                                                   check_png, rng):
    x = rng.random((8, 28, 28)).astype("float32")
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    predictions = np.eye(10)[[0, 1, 9, 3, 4, 0, 6, 7]]  # scores: argmax is read
    path = tmp_path / "grid.png"
    fig = baro.plot.images(x, labels, predictions, cols=4, path=path)
    check_png(path)
    assert len(fig.axes) == 8
    assert red_titles(fig) == [2, 5]
    assert fig.axes[2].get_title() == "2/9"
    assert fig.axes[0].get_title() == "0/0"
    assert fig.axes[2].spines["top"].get_visible()
    assert not fig.axes[0].spines["top"].get_visible()


@pytest.mark.parametrize("shape, image_shape", [
    ((6, 784), (28, 28)), ((6, 64), (8, 8)), ((6, 10, 12), (10, 12)),
    ((6, 10, 12, 1), (10, 12)), ((6, 10, 12, 3), (10, 12, 3))])
def test_layouts(shape, image_shape, rng):
    fig = baro.plot.images(rng.random(shape).astype("float32"), n=4)
    assert len(fig.axes) == 4
    assert fig.axes[0].images[0].get_array().shape == image_shape
    assert red_titles(fig) == []


def test_labels_only_with_class_names_and_uint8_colour(rng):
    x = rng.integers(0, 256, (3, 5, 5, 3), dtype=np.uint8)
    fig = baro.plot.images(x, labels=np.eye(3)[[2, 0, 1]],
                           class_names=["cat", "dog", "bird"])
    assert [ax.get_title() for ax in fig.axes] == ["bird", "cat", "dog"]
    shown = fig.axes[0].images[0].get_array()
    assert shown.max() <= 1.0 and np.allclose(shown, x[0] / 255.0)


def test_bad_shapes_and_lengths_are_named(rng):
    with pytest.raises(ValueError, match="10 values per image"):
        baro.plot.images(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"shape \(2, 4, 4, 2\)"):
        baro.plot.images(np.zeros((2, 4, 4, 2)))
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        displayable(np.zeros(4))
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        baro.plot.images(np.zeros((3, 4, 4)), labels=[0, 1])
    with pytest.raises(ValueError, match="class_names has 2 names"):
        baro.plot.images(np.zeros((1, 4, 4)), labels=[5], class_names=["a", "b"])


def test_mistakes_shows_only_the_misclassified(tmp_path, check_png, rng):
    x = rng.random((20, 6, 6)).astype("float32")
    y = np.arange(20) % 2

    def model(batch):  # predicts the top-left pixel, 0 or 1
        return np.asarray(batch)[:, 0, 0]

    x[:, 0, 0] = y  # right everywhere but on samples 3, 8 and 15
    x[[3, 8, 15], 0, 0] = 1 - y[[3, 8, 15]]
    fig = baro.plot.mistakes(model, x, y, path=tmp_path / "mistakes.png")
    check_png(tmp_path / "mistakes.png")
    assert len(fig.axes) == 3
    assert red_titles(fig) == [0, 1, 2]
    assert [ax.get_title() for ax in fig.axes] == ["1/0", "0/1", "1/0"]
    assert fig._suptitle.get_text().startswith("3 of 20 misclassified")


def test_mistakes_without_mistakes_says_so():
    fig = baro.plot.mistakes(lambda b: np.zeros(len(b), "int64"), np.zeros((4, 3, 3)),
                             [0, 0, 0, 0])
    assert "No mistakes" in fig.axes[0].texts[0].get_text()
