"""baro.plot.confusion_matrix: the numbers in the cells are the hand count."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

import baro.plot  # noqa: E402

Y_TRUE = [0, 0, 1, 1, 1, 2, 2, 2, 2]
Y_PRED = [0, 1, 1, 1, 2, 2, 2, 0, 2]
COUNTS = [[1, 1, 0], [0, 2, 1], [1, 0, 3]]


def cell_texts(ax) -> list[list[str]]:
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    n = round(len(texts) ** 0.5)
    return [[texts[(i, j)] for j in range(n)] for i in range(n)]


def test_cells_hold_the_counts(tmp_path, check_png):
    path = tmp_path / "cm.png"
    fig = baro.plot.confusion_matrix(Y_TRUE, Y_PRED, path=path,
                                     class_names=["ant", "bee", "cat"])
    check_png(path)
    ax = fig.axes[0]
    assert cell_texts(ax) == [[str(v) for v in row] for row in COUNTS]
    assert ax.images[0].get_array().tolist() == COUNTS
    assert [t.get_text() for t in ax.get_xticklabels()] == ["ant", "bee", "cat"]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    assert "accuracy 0.6667" in ax.get_title()


@pytest.mark.parametrize("normalize, expected", [
    ("true", [[0.5, 0.5, 0.0], [0.0, 2 / 3, 1 / 3], [0.25, 0.0, 0.75]]),
    ("pred", [[0.5, 1 / 3, 0.0], [0.0, 2 / 3, 0.25], [0.5, 0.0, 0.75]]),
    ("all", (np.array(COUNTS) / 9).tolist())])
def test_normalized(normalize, expected):
    fig = baro.plot.confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    assert cell_texts(ax)[2][2] == f"{expected[2][2]:.2f}"


def test_an_absent_class_keeps_zeros_when_normalized():
    fig = baro.plot.confusion_matrix([0, 0], [0, 0], class_names=["a", "b"],
                                     normalize="true")
    assert fig.axes[0].images[0].get_array().tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_bad_arguments():
    with pytest.raises(ValueError, match="normalize must be one of"):
        baro.plot.confusion_matrix(Y_TRUE, Y_PRED, normalize="rows")
    with pytest.raises(ValueError, match="num_classes=2"):
        baro.plot.confusion_matrix(Y_TRUE, Y_PRED, class_names=["a", "b"])
