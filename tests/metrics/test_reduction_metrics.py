"""Sum, Mean and MeanMetricWrapper over several weighted batches."""

import numpy as np
import pytest

import baro
from baro import losses, metrics
from baro.testing import assert_allclose


def test_sum_and_mean_over_batches_match_numpy(rng):
    batches = [rng.standard_normal(5) for _ in range(3)]
    weights = [rng.uniform(0, 2, 5) for _ in range(3)]
    total, mean = metrics.Sum(), metrics.Mean()
    for values, w in zip(batches, weights, strict=True):
        total.update_state(values, sample_weight=w)
        mean.update_state(values, sample_weight=w)
    v, w = np.concatenate(batches), np.concatenate(weights)
    assert_allclose(total.result(), np.sum(v * w), rtol=1e-5)
    assert_allclose(mean.result(), np.sum(v * w) / np.sum(w), rtol=1e-5)
    assert mean.result().dtype == np.float32
    total.reset_state()
    mean.reset_state()
    assert float(total.result()) == 0.0 and float(mean.result()) == 0.0


def test_mean_of_matrices_averages_each_sample_first(rng):
    values = rng.standard_normal((4, 3))
    weights = np.array([1.0, 0.0, 2.0, 1.0])
    m = metrics.Mean()
    m.update_state(values, sample_weight=weights)
    expected = np.sum(values.mean(1) * weights) / weights.sum()
    assert_allclose(m.result(), expected, rtol=1e-5)
    m.reset_state()
    m.update_state(values)
    assert_allclose(m.result(), values.mean(), rtol=1e-5)
    assert float(m.count.numpy()) == 4.0
    s = metrics.Sum()
    s.update_state(values, sample_weight=weights[:, None])
    assert_allclose(s.result(), np.sum(values.sum(1) * weights), rtol=1e-5)


def test_mean_keras_examples_and_scalars():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0
    m.update_state(10.0)
    assert_allclose(m.result(), (4 + 10) / 3)
    assert float(metrics.Mean().result()) == 0.0


def test_bad_weights_name_the_metric():
    with pytest.raises(ValueError, match=r"mean: sample_weight has shape \(3,\)"):
        metrics.Mean().update_state(np.ones(4), sample_weight=np.ones(3))


def test_wrapper_averages_a_function_with_kwargs(rng):
    m = metrics.MeanMetricWrapper(losses.huber, name="huber", delta=0.5)
    rows = []
    for _ in range(3):
        y_true, y_pred = rng.standard_normal((2, 4, 3))
        w = rng.uniform(0, 1, 4)
        m.update_state(y_true, y_pred, sample_weight=w)
        rows.append((losses.huber(y_true, y_pred, delta=0.5).numpy(), w))
    per_sample = np.concatenate([r for r, _ in rows])
    weights = np.concatenate([w for _, w in rows])
    assert_allclose(m.result(), np.sum(per_sample * weights) / weights.sum(),
                    rtol=1e-5)
    assert m.name == "huber"
    with pytest.raises(TypeError, match="fn must be callable"):
        metrics.MeanMetricWrapper(3)


def test_wrapper_records_no_graph():
    y_pred = baro.Tensor([[0.2, 0.8]], requires_grad=True)
    seen = {}

    def spy(y_true, y_pred):
        out = losses.mean_squared_error(y_true, y_pred)
        seen["requires_grad"] = out.requires_grad
        return out

    metrics.MeanMetricWrapper(spy).update_state([[0.0, 1.0]], y_pred)
    assert seen["requires_grad"] is False
