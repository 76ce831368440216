"""F1Score and FBetaScore: every average by hand, weights, threshold rules, errors."""

import numpy as np
import pytest

from baro import metrics
from baro.testing import assert_allclose

Y_TRUE = [[1, 1, 1], [1, 0, 0], [1, 1, 0]]
Y_PRED = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]]
# Above 0.5: [[0,1,1],[0,1,1],[1,1,0]]. Per class (tp, fp, fn): (1,0,2), (2,1,0),
# (1,1,0); support (3, 2, 1).
PER_CLASS_F1 = np.array([0.5, 0.8, 2 / 3])


@pytest.mark.parametrize("average, expected", [
    (None, PER_CLASS_F1),
    ("macro", PER_CLASS_F1.mean()),
    ("micro", 2 / 3),  # tp 4, fp 2, fn 2
    ("weighted", np.sum(PER_CLASS_F1 * [3, 2, 1]) / 6),
])
def test_f1_averages_by_hand(average, expected):
    m = metrics.F1Score(average=average, threshold=0.5)
    m.update_state(Y_TRUE, Y_PRED)
    assert_allclose(m.result(), np.float32(expected), rtol=1e-5)


def test_fbeta_weighs_recall_by_beta():
    m = metrics.FBetaScore(beta=2.0, threshold=0.5)
    m.update_state(Y_TRUE, Y_PRED)
    precision = np.array([1.0, 2 / 3, 0.5])
    recall = np.array([1 / 3, 1.0, 1.0])
    expected = 5 * precision * recall / (4 * precision + recall)
    assert_allclose(m.result(), expected, rtol=1e-5)


def test_batches_and_sample_weights_accumulate_counts():
    split = metrics.F1Score(average="micro", threshold=0.5)
    split.update_state(Y_TRUE[:1], Y_PRED[:1], sample_weight=[2.0])
    split.update_state(Y_TRUE[1:], Y_PRED[1:], sample_weight=[1.0, 0.5])
    # Pooled weighted counts over both batches, recomputed in NumPy.
    y = np.array(Y_TRUE, float)
    p = (np.array(Y_PRED) > 0.5).astype(float)
    w = np.array([2.0, 1.0, 0.5])[:, None]
    tp, fp, fn = (w * p * y).sum(), (w * p * (1 - y)).sum(), (w * (1 - p) * y).sum()
    expected = 2 * tp / (2 * tp + fp + fn)
    assert_allclose(split.result(), expected, rtol=1e-5)
    split.reset_state()
    assert float(split.result()) == 0.0


def test_without_threshold_the_top_score_of_each_sample_is_predicted():
    m = metrics.F1Score()
    m.update_state([[0, 1, 0], [1, 0, 0], [0, 0, 1]],
                   [[0.1, 0.7, 0.2], [0.2, 0.5, 0.3], [0.0, 0.0, 0.0]])
    # Predicted one-hot: class 1, class 1, nothing (an all-zero row).
    assert_allclose(m.result(), [0.0, 2 / 3, 0.0], atol=1e-6)


def test_errors_and_configs():
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="beta must be a number > 0"):
        metrics.FBetaScore(beta=0.0)
    with pytest.raises(ValueError, match="0 < threshold <= 1"):
        metrics.F1Score(threshold=0.0)
    m = metrics.F1Score()
    with pytest.raises(ValueError, match=r"f1_score: expects .* y_true \(3,\)"):
        m.update_state([0, 1, 2], np.eye(3))
    m.update_state(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="built for 3 classes"):
        m.update_state(np.eye(4), np.eye(4))
    assert metrics.F1Score(average="macro").get_config() == {
        "name": "f1_score", "dtype": "float32", "average": "macro",
        "threshold": None}
    assert metrics.FBetaScore(beta=2).get_config()["beta"] == 2.0
