"""Accuracy functions and metrics against NumPy and Keras's documented values."""

import numpy as np
import pytest

from baro import metrics
from baro.testing import assert_allclose


def test_accuracy_and_binary_accuracy_functions(rng):
    y = rng.integers(0, 3, (6, 4)).astype(np.float32)
    p = np.where(rng.uniform(size=(6, 4)) > 0.3, y, y + 1)
    assert_allclose(metrics.accuracy(y, p), (y == p).mean(-1))
    labels = (rng.uniform(size=(6, 4)) > 0.5).astype(np.float32)
    scores = rng.uniform(size=(6, 4)).astype(np.float32)
    expected = ((scores > 0.7) == labels).mean(-1)
    assert_allclose(metrics.binary_accuracy(labels, scores, threshold=0.7), expected)
    # (batch,) labels with (batch, 1) scores are aligned, one value per sample.
    out = metrics.binary_accuracy([1, 0], [[0.9], [0.8]])
    assert out.numpy().tolist() == [1.0, 0.0]


def test_categorical_and_sparse_accuracy_functions(rng):
    scores = rng.standard_normal((8, 5)).astype(np.float32)
    labels = rng.integers(0, 5, 8)
    expected = (scores.argmax(-1) == labels).astype(np.float32)
    assert_allclose(metrics.categorical_accuracy(np.eye(5)[labels], scores), expected)
    assert_allclose(metrics.sparse_categorical_accuracy(labels, scores), expected)
    assert_allclose(metrics.sparse_categorical_accuracy(labels[:, None], scores),
                    expected)
    assert_allclose(metrics.sparse_categorical_accuracy(labels.astype(float),
                                                        scores), expected)


def _brute_top_k(labels, scores, k):
    hits = []
    for label, row in zip(labels, scores, strict=True):
        kth = np.sort(row)[::-1][k - 1]
        hits.append(float(row[label] >= kth))
    return np.array(hits, np.float32)


@pytest.mark.parametrize("k", [1, 2, 4, 6])
def test_top_k_functions_match_brute_force(k, rng):
    scores = rng.standard_normal((10, 5)).astype(np.float32)
    labels = rng.integers(0, 5, 10)
    expected = _brute_top_k(labels, scores, min(k, 5))
    assert_allclose(metrics.sparse_top_k_categorical_accuracy(labels, scores, k=k),
                    expected)
    assert_allclose(metrics.top_k_categorical_accuracy(np.eye(5)[labels], scores,
                                                       k=k), expected)


def test_top_k_counts_ties_at_the_boundary_as_hits():
    scores = [[0.5, 0.5, 0.5, 0.1]]
    assert metrics.sparse_top_k_categorical_accuracy([2], scores, k=1).item() == 1.0
    assert metrics.sparse_top_k_categorical_accuracy([3], scores, k=3).item() == 0.0


def test_sparse_top_k_from_sorted_ids():
    ids = np.array([[3, 1, 0], [2, 0, 1]])
    out = metrics.sparse_top_k_categorical_accuracy([1, 1], ids, k=2,
                                                    from_sorted_ids=True)
    assert out.numpy().tolist() == [1.0, 0.0]


@pytest.mark.parametrize("metric, y_true, y_pred, weights, expected", [
    (metrics.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]], None, 0.75),
    (metrics.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]],
     [1, 1, 0, 0], 0.5),
    (metrics.BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]],
     None, 0.75),
    (metrics.BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]],
     [1, 0, 0, 1], 0.5),
    (metrics.CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.3),
    (metrics.SparseCategoricalAccuracy(), [[2], [1]],
     [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], [0.7, 0.3], 0.3),
    (metrics.TopKCategoricalAccuracy(k=1), [[0, 0, 1], [0, 1, 0]],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], None, 0.5),
    (metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.3),
], ids=lambda x: type(x).__name__ if isinstance(x, metrics.Metric) else None)
def test_keras_documented_values(metric, y_true, y_pred, weights, expected):
    metric.reset_state()
    metric.update_state(y_true, y_pred, sample_weight=weights)
    assert_allclose(metric.result(), expected, rtol=1e-6)


def test_classes_accumulate_weighted_batches(rng):
    m = metrics.SparseCategoricalAccuracy()
    hits, weights = [], []
    for _ in range(3):
        scores = rng.standard_normal((7, 4))
        labels = rng.integers(0, 4, 7)
        w = rng.uniform(0, 1, 7)
        m.update_state(labels, scores, sample_weight=w)
        hits.append(scores.argmax(-1) == labels)
        weights.append(w)
    h, w = np.concatenate(hits), np.concatenate(weights)
    assert_allclose(m.result(), np.sum(h * w) / np.sum(w), rtol=1e-5)


def test_names_and_configs():
    assert metrics.BinaryAccuracy().get_config() == {
        "name": "binary_accuracy", "dtype": "float32", "threshold": 0.5}
    assert metrics.TopKCategoricalAccuracy().get_config()["k"] == 5
    assert metrics.SparseTopKCategoricalAccuracy().name == \
        "sparse_top_k_categorical_accuracy"


def test_shape_errors_name_the_metric_and_suggest_the_fix():
    with pytest.raises(ValueError, match=r"categorical_accuracy: y_true has shape "
                       r"\(3,\).*sparse_categorical_accuracy"):
        metrics.CategoricalAccuracy().update_state([0, 1, 2], np.eye(3))
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: .*\(3, 3\)"
                       r".*non-sparse"):
        metrics.sparse_categorical_accuracy(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match=r"binary_accuracy: y_true has shape"):
        metrics.binary_accuracy(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\)"):
        metrics.BinaryAccuracy(threshold=1.0)
