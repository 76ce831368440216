"""Regression metrics over weighted batches against NumPy formulas."""

import numpy as np
import pytest

from baro import metrics
from baro.testing import assert_allclose

EPS = 1e-7


def _unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), EPS)


PER_SAMPLE = {
    "MeanSquaredError": lambda t, p: np.mean((t - p) ** 2, -1),
    "MeanAbsoluteError": lambda t, p: np.mean(np.abs(t - p), -1),
    "MeanAbsolutePercentageError":
        lambda t, p: 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), -1),
    "MeanSquaredLogarithmicError":
        lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1)
                              - np.log(np.maximum(t, EPS) + 1)) ** 2, -1),
    "CosineSimilarity": lambda t, p: np.sum(_unit(t) * _unit(p), -1),
    "LogCoshError": lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
}


def _batches(rng, n=3):
    for _ in range(n):
        yield (rng.uniform(0.1, 2.0, (5, 3)), rng.uniform(-1.0, 3.0, (5, 3)),
               rng.uniform(0.0, 2.0, 5))


@pytest.mark.parametrize("name", sorted(PER_SAMPLE))
def test_weighted_mean_over_batches_matches_numpy(name, rng):
    metric = getattr(metrics, name)()
    values, weights = [], []
    for y_true, y_pred, w in _batches(rng):
        metric.update_state(y_true, y_pred, sample_weight=w)
        values.append(PER_SAMPLE[name](y_true, y_pred))
        weights.append(w)
    v, w = np.concatenate(values), np.concatenate(weights)
    assert_allclose(metric.result(), np.sum(v * w) / np.sum(w), rtol=1e-5)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_root_mean_squared_error_is_the_root_of_the_running_mean(rng):
    m = metrics.RootMeanSquaredError()
    errors, weights = [], []
    for y_true, y_pred, w in _batches(rng):
        m.update_state(y_true, y_pred, sample_weight=w)
        errors.append(np.mean((y_true - y_pred) ** 2, -1))
        weights.append(w)
    e, w = np.concatenate(errors), np.concatenate(weights)
    assert_allclose(m.result(), np.sqrt(np.sum(e * w) / np.sum(w)), rtol=1e-5)
    keras = metrics.RootMeanSquaredError()
    keras.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    assert float(keras.result()) == 0.5
    with pytest.raises(ValueError, match="root_mean_squared_error: y_true has"):
        keras.update_state(np.ones((2, 3)), np.ones((2, 2)))


def test_cosine_similarity_metric_is_positive_for_aligned_vectors():
    out = metrics.cosine_similarity([[1.0, 1.0], [1.0, 0.0]], [[2.0, 2.0], [-1.0, 0.0]])
    assert_allclose(out, [1.0, -1.0], rtol=1e-6)
    m = metrics.CosineSimilarity(axis=0)
    m.update_state(np.eye(2), np.eye(2))
    assert_allclose(m.result(), 1.0)


def test_shape_errors_name_the_metric():
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true has shape"):
        metrics.MeanSquaredError().update_state(np.ones((2, 3)), np.ones((2, 4)))
