"""evaluate_robustness on hand-built "models" whose accuracy per transform is known.

The images are 9x9 with one lit pixel at (row i, column i) for i = 0..8. A
"column reader" predicts the group (column // 3) of the brightest column, or -1
for an empty image. So a horizontal shift by s keeps image i right exactly when
(i + s) // 3 == i // 3 and i + s stays inside; a vertical shift only loses the
pixels pushed out; a 90-degree rotation (counter-clockwise) moves (i, i) to
(8 - i, i), keeping every column.
"""

import numpy as np
import pytest

import baro
from baro.evaluation import RobustnessReport, evaluate_robustness
from baro.keras import Model

SIDE = 9


def diagonal_images() -> np.ndarray:
    x = np.zeros((SIDE, SIDE, SIDE), "float32")
    x[np.arange(SIDE), np.arange(SIDE), np.arange(SIDE)] = 1.0
    return x


def column_group_reader(images) -> np.ndarray:
    images = np.asarray(images).reshape(len(images), SIDE, SIDE)
    columns = images.sum(axis=1)
    lit = columns.max(axis=1) > 0.5
    return np.where(lit, columns.argmax(axis=1) // 3, -1)


def expected_shift_x(s: int) -> float:
    i = np.arange(SIDE)
    moved = i + s
    return float(np.mean((moved >= 0) & (moved < SIDE) & (moved // 3 == i // 3)))


def test_accuracy_per_transform_is_known_exactly():
    x = diagonal_images()
    y = np.arange(SIDE) // 3
    shifts = (-4, -2, -1, 0, 1, 2, 4)
    report = evaluate_robustness(column_group_reader, x, y, rotations=(0, 90, 180),
                                 shifts=shifts)
    assert report.baseline == 1.0
    assert report.num_samples == SIDE
    assert report.rows("rotation") == [(0.0, 1.0), (90.0, 1.0), (180.0, 3 / 9)]
    assert report.rows("shift_x") == [(s, expected_shift_x(s)) for s in shifts]
    assert dict(report.rows("shift_x"))[1] == 6 / 9
    assert dict(report.rows("shift_x"))[2] == 3 / 9
    # Vertically only the pixels pushed out of the image are lost.
    assert report.rows("shift_y") == [(s, (SIDE - abs(s)) / SIDE) for s in shifts]


def test_shift_direction_follows_the_sign():
    # One pixel at column 2 (group 0): moving right by 1 leaves the group,
    # moving left by 1 does not.
    x = np.zeros((1, SIDE, SIDE), "float32")
    x[0, 4, 2] = 1.0
    report = evaluate_robustness(column_group_reader, x, [0], rotations=(),
                                 shifts=(-1, 1))
    assert report.rows("shift_x") == [(-1.0, 1.0), (1.0, 0.0)]


class ColumnScores(Model):
    """A subclassed model: scores = column sums of flat 9x9 inputs."""

    def call(self, inputs):
        if tuple(inputs.shape[1:]) != (SIDE * SIDE,):
            raise AssertionError(f"the model saw shape {inputs.shape}")
        return baro.reduce_sum(baro.reshape(inputs, (-1, SIDE, SIDE)), axis=1)


def test_flat_inputs_reach_the_model_flat_and_one_hot_labels_work():
    x = diagonal_images().reshape(SIDE, SIDE * SIDE)
    y = np.eye(SIDE)[np.arange(SIDE)]  # one-hot: the label is the column
    report = evaluate_robustness(ColumnScores(), x, y, rotations=(0, 90),
                                 shifts=(0, 1), batch_size=4)
    plain = np.mean(np.argmax(ColumnScores().predict(x, verbose=0), 1) ==
                    np.arange(SIDE))
    assert report.baseline == plain == 1.0
    assert dict(report.rows("rotation")) == {0.0: 1.0, 90.0: 1.0}
    # Shifted right by one, every pixel changes column (the last one leaves).
    assert dict(report.rows("shift_x")) == {0.0: 1.0, 1.0: 0.0}
    # Down by one only the bottom pixel (column 8) leaves; an empty image
    # scores column 0.
    assert dict(report.rows("shift_y")) == {0.0: 1.0, 1.0: 8 / 9}


@pytest.mark.parametrize("layout", [(SIDE, SIDE), (SIDE, SIDE, 1),
                                    (SIDE * SIDE,)])
def test_zero_rows_equal_plain_accuracy(layout, rng):
    x = rng.random((12, SIDE, SIDE)).astype("float32")
    y = rng.integers(0, 3, 12)
    x = x.reshape((12,) + layout)
    report = evaluate_robustness(column_group_reader, x, y, rotations=(0, 10),
                                 shifts=(0, 3))
    plain = float(np.mean(column_group_reader(x) == y))
    assert report.baseline == plain
    for name in ("rotation", "shift_x", "shift_y"):
        assert dict(report.rows(name))[0.0] == plain


def test_report_text_dict_and_repr():
    report = RobustnessReport([("rotation", -15.0, 0.5), ("rotation", 0.0, 0.75),
                               ("shift_x", 2.0, 0.25), ("shift_y", -2.0, 1.0)],
                              baseline=0.75, num_samples=1234)
    lines = str(report).splitlines()
    assert lines[0] == "Robustness on 1,234 images (untransformed accuracy 0.7500)"
    assert lines[1].split() == ["transform", "amount", "accuracy"]
    assert len({len(line) for line in lines[1:]}) == 1  # aligned columns
    assert lines[3].split() == ["rotation", "-15", "deg", "0.5000"]
    assert lines[5].split() == ["shift_x", "2", "px", "0.2500"]
    assert report.to_dict() == {
        "baseline": 0.75, "num_samples": 1234,
        "rotation": {-15.0: 0.5, 0.0: 0.75}, "shift_x": {2.0: 0.25},
        "shift_y": {-2.0: 1.0}}
    assert "baseline=0.7500" in repr(report)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="80 values per sample"):
        evaluate_robustness(column_group_reader, np.zeros((2, 80)), [0, 1])
    with pytest.raises(ValueError, match=r"shape \(2, 3, 3, 3, 3\)"):
        evaluate_robustness(column_group_reader, np.zeros((2, 3, 3, 3, 3)), [0, 1])
    with pytest.raises(ValueError, match="3 images but y has 2"):
        evaluate_robustness(column_group_reader, np.zeros((3, 4, 4)), [0, 1])
    with pytest.raises(TypeError, match="rotations"):
        evaluate_robustness(column_group_reader, np.zeros((2, 4, 4)), [0, 1],
                            rotations=("left",))


def test_top_level_name():
    assert baro.evaluate_robustness is evaluate_robustness
