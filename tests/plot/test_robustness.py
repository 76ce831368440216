"""baro.plot.robustness: accuracy vs rotation and vs shift from a report."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

import baro.plot  # noqa: E402
from baro.evaluation import RobustnessReport, evaluate_robustness  # noqa: E402

REPORT = RobustnessReport([("rotation", 15.0, 0.7), ("rotation", -15.0, 0.6),
                           ("rotation", 0.0, 0.9), ("shift_x", -2.0, 0.5),
                           ("shift_x", 2.0, 0.4), ("shift_y", 2.0, 0.3)],
                          baseline=0.9, num_samples=10)


def test_two_panels_with_sorted_curves_and_baseline(tmp_path, check_png):
    path = tmp_path / "robustness.png"
    fig = baro.plot.robustness(REPORT, path=path)
    check_png(path)
    rotation, shift = fig.axes
    assert rotation.lines[0].get_xdata().tolist() == [-15.0, 0.0, 15.0]
    assert rotation.lines[0].get_ydata().tolist() == [0.6, 0.9, 0.7]
    assert [line.get_label() for line in shift.lines] == [
        "horizontal (+ right)", "vertical (+ down)", "untransformed (0.900)"]
    assert list(rotation.lines[-1].get_ydata()) == [0.9, 0.9]


def test_evaluate_robustness_draws_when_given_a_path(tmp_path, check_png):
    x = np.zeros((4, 6, 6), "float32")
    x[:, 2:4, 2:4] = 1.0
    path = tmp_path / "r.png"
    report = evaluate_robustness(lambda b: (np.asarray(b)[:, 2, 2] > 0.5) * 1, x,
                                 np.ones(4, "int64"), rotations=(), shifts=(0, 1),
                                 path=path)
    check_png(path)
    assert len(report.figure.axes) == 1  # no rotations: the shift panel only
    assert report.plot() is report.figure


def test_an_empty_report_cannot_be_drawn():
    with pytest.raises(ValueError, match="no rows"):
        RobustnessReport([], 1.0, 3).plot()
