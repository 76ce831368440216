"""Precision, Recall and AUC against brute-force loops on small data."""

import numpy as np
import pytest

from baro import metrics
from baro.testing import assert_allclose

EPS = 1e-7


def _brute_counts(labels, scores, weights, thresholds):
    """tp, fp, tn, fn per threshold by explicit loops (y_pred > t is positive)."""
    counts = np.zeros((4, len(thresholds)))
    for i, t in enumerate(thresholds):
        for label, score, w in zip(labels, scores, weights, strict=True):
            predicted = score > t
            index = {(True, True): 0, (False, True): 1,
                     (False, False): 2, (True, False): 3}[(bool(label), predicted)]
            counts[index, i] += w
    return counts


def _grid(n):
    return [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]


def _brute_roc(tp, fp, tn, fn):
    tpr = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=tp + fn > 0)
    fpr = np.divide(fp, fp + tn, out=np.zeros_like(fp), where=fp + tn > 0)
    return sum((fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2
               for i in range(len(tp) - 1))


def _brute_pr_interpolated(tp, fp, fn, steps=4000):
    """Integrates precision over recall with tp and tp + fp linear between
    thresholds, by the midpoint rule (independent of the closed form)."""
    positives = tp[0] + fn[0]
    area = 0.0
    for i in range(len(tp) - 1):
        s = (np.arange(steps) + 0.5) / steps
        tp_s = tp[i + 1] + s * (tp[i] - tp[i + 1])
        p_s = tp_s + fp[i + 1] + s * (fp[i] - fp[i + 1])
        if tp[i] == tp[i + 1]:
            continue
        precision = np.divide(tp_s, p_s, out=np.zeros_like(p_s), where=p_s > 0)
        area += np.sum(precision) * (tp[i] - tp[i + 1]) / steps / positives
    return area


@pytest.fixture
def data(rng):
    labels = (rng.uniform(size=40) > 0.6).astype(np.float32)
    scores = np.clip(labels * 0.3 + rng.uniform(0, 0.7, 40), 0, 1)
    return labels, scores.astype(np.float32), rng.uniform(0.2, 2.0, 40)


def test_precision_and_recall_match_brute_force_over_batches(data):
    labels, scores, weights = data
    thresholds = [0.2, 0.5, 0.75]
    p = metrics.Precision(thresholds=thresholds)
    r = metrics.Recall(thresholds=thresholds)
    for part in np.array_split(np.arange(40), 3):
        p.update_state(labels[part], scores[part], sample_weight=weights[part])
        r.update_state(labels[part], scores[part], sample_weight=weights[part])
    tp, fp, _, fn = _brute_counts(labels, scores, weights, thresholds)
    assert_allclose(p.result(), tp / (tp + fp), rtol=1e-5)
    assert_allclose(r.result(), tp / (tp + fn), rtol=1e-5)
    assert_allclose(p.true_positives, tp, rtol=1e-5)
    assert_allclose(p.false_positives, fp, rtol=1e-5)
    assert_allclose(r.false_negatives, fn, rtol=1e-5)
    p.reset_state()
    assert_allclose(p.result(), [0.0, 0.0, 0.0])


def test_precision_recall_keras_documented_values():
    for cls, expected in ((metrics.Precision, 2 / 3), (metrics.Recall, 2 / 3)):
        m = cls()
        m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        assert_allclose(m.result(), expected, rtol=1e-6)
        m.reset_state()
        m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
        assert float(m.result()) == 1.0
    for k, expected in ((2, 0.0), (4, 0.5)):
        m = metrics.Precision(top_k=k)
        m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
        assert float(m.result()) == expected


def test_top_k_and_class_id_match_brute_force(rng):
    scores = rng.uniform(size=(12, 5)).astype(np.float32)
    labels = (rng.uniform(size=(12, 5)) > 0.6).astype(np.float32)
    top2 = np.argsort(-scores, axis=1, kind="stable")[:, :2]
    predicted = np.zeros_like(labels, dtype=bool)
    np.put_along_axis(predicted, top2, True, axis=1)
    tp = np.sum(predicted & (labels == 1))
    p = metrics.Precision(top_k=2)
    p.update_state(labels, scores)
    assert_allclose(p.result(), tp / predicted.sum(), rtol=1e-6)
    r = metrics.Recall(top_k=2)
    r.update_state(labels, scores)
    assert_allclose(r.result(), tp / labels.sum(), rtol=1e-6)
    c = metrics.Precision(class_id=3, thresholds=0.4)
    c.update_state(labels, scores, sample_weight=np.arange(12.0))
    counts = _brute_counts(labels[:, 3], scores[:, 3], np.arange(12.0), [0.4])
    assert_allclose(c.result(), counts[0, 0] / (counts[0, 0] + counts[1, 0]),
                    rtol=1e-6)


def test_evenly_spaced_thresholds_use_the_same_strict_comparison(data):
    labels, scores, weights = data
    grid = list(np.linspace(0, 1, 11))
    p = metrics.Precision(thresholds=grid)
    p.update_state(labels, scores, sample_weight=weights)
    tp, fp, _, _ = _brute_counts(labels, scores, weights, grid)
    expected = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
    assert_allclose(p.result(), expected, rtol=1e-5)


@pytest.mark.parametrize("num_thresholds", [3, 7, 200])
def test_roc_auc_matches_brute_force(num_thresholds, data):
    labels, scores, weights = data
    m = metrics.AUC(num_thresholds=num_thresholds)
    for part in np.array_split(np.arange(40), 2):
        m.update_state(labels[part], scores[part], sample_weight=weights[part])
    counts = _brute_counts(labels, scores, weights, _grid(num_thresholds))
    assert_allclose(m.true_positives, counts[0], rtol=1e-5, atol=1e-5)
    assert_allclose(m.true_negatives, counts[2], rtol=1e-5, atol=1e-5)
    assert_allclose(m.result(), _brute_roc(*counts), rtol=1e-5)


def test_roc_auc_approaches_the_rank_statistic(data):
    labels, scores, _ = data
    pos, neg = scores[labels == 1], scores[labels == 0]
    exact = np.mean([(p > n) + 0.5 * (p == n) for p in pos for n in neg])
    m = metrics.AUC(num_thresholds=20001)
    m.update_state(labels, scores)
    assert_allclose(m.result(), exact, atol=1e-3)


@pytest.mark.parametrize("num_thresholds", [5, 50])
def test_pr_auc_interpolation_matches_numeric_integration(num_thresholds, data):
    labels, scores, weights = data
    m = metrics.AUC(num_thresholds=num_thresholds, curve="PR")
    m.update_state(labels, scores, sample_weight=weights)
    tp, fp, _, fn = _brute_counts(labels, scores, weights, _grid(num_thresholds))
    assert_allclose(m.result(), _brute_pr_interpolated(tp, fp, fn), atol=1e-5)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("method", ["minoring", "majoring", "interpolation"])
def test_riemann_sums_by_hand(curve, method, data):
    labels, scores, _ = data
    m = metrics.AUC(num_thresholds=9, curve=curve, summation_method=method)
    m.update_state(labels, scores)
    tp, fp, tn, fn = _brute_counts(labels, scores, np.ones(40), _grid(9))
    recall = tp / (tp + fn)
    if curve == "ROC":
        x, y = fp / (fp + tn), recall
    else:
        if method == "interpolation":
            expected = _brute_pr_interpolated(tp, fp, fn)
            assert_allclose(m.result(), expected, atol=1e-5)
            return
        x = recall
        y = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
    pick = {"minoring": np.minimum, "majoring": np.maximum,
            "interpolation": lambda a, b: (a + b) / 2}[method]
    expected = np.sum((x[:-1] - x[1:]) * pick(y[:-1], y[1:]))
    assert_allclose(m.result(), expected, rtol=1e-5)
    assert m.get_config()["summation_method"] == method


def test_auc_keras_documented_values_and_edge_cases():
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == 0.75
    m.reset_state()
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    assert float(m.result()) == 1.0
    perfect = metrics.AUC()
    perfect.update_state([0, 1, 0, 1], [0.0, 1.0, 0.2, 0.8])
    assert float(perfect.result()) == 1.0
    assert float(metrics.AUC().result()) == 0.0
    custom = metrics.AUC(thresholds=[0.6, 0.2])
    assert custom.num_thresholds == 4
    assert custom.thresholds[1:3] == [0.2, 0.6]


def test_multi_label_auc_averages_per_label_aucs(rng):
    labels = (rng.uniform(size=(30, 3)) > 0.5).astype(np.float32)
    scores = np.clip(labels * 0.2 + rng.uniform(0, 0.8, (30, 3)), 0, 1)
    per_label = []
    for j in range(3):
        single = metrics.AUC(num_thresholds=20)
        single.update_state(labels[:, j], scores[:, j])
        per_label.append(float(single.result()))
    m = metrics.AUC(num_thresholds=20, multi_label=True)
    m.update_state(labels[:15], scores[:15])
    m.update_state(labels[15:], scores[15:])
    assert m.true_positives.shape == (20, 3)
    assert_allclose(m.result(), np.mean(per_label), rtol=1e-5)
    weighted = metrics.AUC(num_thresholds=20, multi_label=True, num_labels=3,
                           label_weights=[1.0, 0.0, 3.0])
    weighted.update_state(labels, scores)
    expected = (per_label[0] + 3 * per_label[2]) / 4
    assert_allclose(weighted.result(), expected, rtol=1e-5)


def test_flat_auc_label_weights_weigh_each_column(rng):
    labels = (rng.uniform(size=(20, 2)) > 0.5).astype(np.float32)
    scores = rng.uniform(size=(20, 2)).astype(np.float32)
    m = metrics.AUC(label_weights=[2.0, 0.5])
    m.update_state(labels, scores)
    same = metrics.AUC()
    same.update_state(labels, scores, sample_weight=np.tile([2.0, 0.5], (20, 1)))
    assert_allclose(m.result(), same.result(), rtol=1e-6)


def test_from_logits_applies_a_sigmoid(data):
    labels, scores, _ = data
    logits = np.log(scores + 1e-3) - np.log(1 - scores + 1e-3)
    a = metrics.AUC(from_logits=True)
    a.update_state(labels, logits)
    b = metrics.AUC()
    b.update_state(labels, 1 / (1 + np.exp(-logits)))
    assert_allclose(a.result(), b.result(), rtol=1e-6)


def test_errors_name_the_metric_and_the_bad_value():
    with pytest.raises(ValueError, match=r"threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="curve must be 'ROC' or 'PR'"):
        metrics.AUC(curve="ROCK")
    with pytest.raises(ValueError, match="summation_method must be one of"):
        metrics.AUC(summation_method="simpson")
    with pytest.raises(ValueError, match="num_thresholds must be an integer > 1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="num_labels is needed only"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match=r"recall: y_true has shape \(3,\) and "
                       r"y_pred has shape \(4,\)"):
        metrics.Recall().update_state([0, 1, 1], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"class_id=5 .*\(2, 3\)"):
        metrics.Precision(class_id=5).update_state(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state([0, 1], [0.2, 0.4])
    with pytest.raises(ValueError, match="sample_weight has shape"):
        metrics.AUC().update_state([0, 1], [0.2, 0.4], sample_weight=[1, 2, 3])
