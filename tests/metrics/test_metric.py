"""The Metric base, get() names, and config round trips of every metric."""

import json

import numpy as np
import pytest

import baro
from baro import losses, metrics
from baro.testing import assert_allclose


class Extremes(metrics.Metric):
    """Running min and max, to exercise non-zero initial values."""

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.low = self.add_variable((), initializer=np.inf, name="low")
        self.high = self.add_variable((), initializer=-np.inf, name="high")

    def update_state(self, values):
        values = metrics.metric.to_array(values, self.dtype)
        self.low.assign(np.minimum(self.low.data, values.min()))
        self.high.assign(np.maximum(self.high.data, values.max()))

    def result(self):
        return self._tensor([self.low.data, self.high.data])


def test_state_lives_in_non_trainable_variables_and_resets():
    m = Extremes()
    assert m.name == "extremes" and m.dtype == "float32"
    assert [v.name for v in m.variables] == ["low", "high"]
    assert all(isinstance(v, baro.Variable) and not v.trainable for v in m.variables)
    m.update_state([3.0, -1.0])
    assert_allclose(m([7.0]), [-1.0, 7.0])
    m.reset_state()
    assert_allclose(m.result(), [np.inf, -np.inf])


def test_add_variable_initializers():
    m = metrics.Metric(dtype="float64")
    zeros = m.add_variable((2, 3))
    ones = m.add_variable((2,), "ones", name="o")
    called = m.add_variable((3,), lambda shape, dtype: np.arange(3, dtype=dtype))
    legacy = m.add_weight(shape=(1,))
    assert zeros.shape == (2, 3) and zeros.dtype == np.float64
    assert zeros.numpy().sum() == 0 and ones.numpy().tolist() == [1.0, 1.0]
    assert called.numpy().tolist() == [0.0, 1.0, 2.0]
    assert legacy.name == "variable_3"
    called.assign_add([1.0, 1.0, 1.0])
    m.reset_state()
    assert called.numpy().tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="initializer must be 'zeros', 'ones'"):
        m.add_variable((1,), "glorot")


def test_base_errors():
    with pytest.raises(ValueError, match="dtype must be a float dtype.*int32"):
        metrics.Mean(dtype="int32")
    with pytest.raises(NotImplementedError, match="update_state"):
        metrics.Metric().update_state(1)
    with pytest.raises(NotImplementedError, match="result"):
        metrics.Metric().result()


NAMES = {
    "auc": metrics.AUC, "AUC": metrics.AUC, "precision": metrics.Precision,
    "recall": metrics.Recall, "Recall": metrics.Recall,
    "mse": metrics.MeanSquaredError, "MSE": metrics.MeanSquaredError,
    "mean_squared_error": metrics.MeanSquaredError,
    "mae": metrics.MeanAbsoluteError, "MAE": metrics.MeanAbsoluteError,
    "mape": metrics.MeanAbsolutePercentageError,
    "msle": metrics.MeanSquaredLogarithmicError,
    "root_mean_squared_error": metrics.RootMeanSquaredError,
    "binary_accuracy": metrics.BinaryAccuracy,
    "categorical_accuracy": metrics.CategoricalAccuracy,
    "sparse_categorical_accuracy": metrics.SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": metrics.TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": metrics.SparseTopKCategoricalAccuracy,
    "cosine_similarity": metrics.CosineSimilarity,
    "log_cosh_error": metrics.LogCoshError, "f1_score": metrics.F1Score,
    "f_beta_score": metrics.FBetaScore, "mean": metrics.Mean, "sum": metrics.Sum,
    "BinaryAccuracy": metrics.BinaryAccuracy,
}


@pytest.mark.parametrize("name, cls", sorted(NAMES.items(), key=lambda kv: kv[0]))
def test_get_gives_instances_for_names_like_keras(name, cls):
    assert type(metrics.get(name)) is cls


def test_get_accuracy_names_give_the_function_and_other_identifiers_pass():
    assert metrics.get("accuracy") is metrics.accuracy
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.get(None) is None
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    m = metrics.AUC()
    assert metrics.get(m) is m
    assert metrics.get(losses.hinge) is losses.hinge
    config = {"class_name": "Precision", "config": {"thresholds": [0.2, 0.8]}}
    assert metrics.get(config).thresholds == [0.2, 0.8]
    with pytest.raises(ValueError, match="Unknown metric 'accuracyy'"):
        metrics.get("accuracyy")


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy", "kl_divergence",
                                  "poisson", "hinge", "squared_hinge",
                                  "categorical_hinge"])
def test_get_gives_loss_functions_for_loss_metric_names(name):
    assert metrics.get(name) is getattr(losses, name)
    assert metrics.get("bce") is losses.binary_crossentropy


def test_get_function_resolves_metric_then_loss_functions():
    assert metrics.get_function("binary_accuracy") is metrics.binary_accuracy
    assert metrics.get_function("cosine_similarity") is metrics.cosine_similarity
    assert metrics.get_function("huber") is losses.huber


ALL = [
    metrics.Mean(name="m"), metrics.Sum(dtype="float64"),
    metrics.MeanMetricWrapper(losses.huber, name="h", delta=2.0),
    metrics.Accuracy(), metrics.BinaryAccuracy(threshold=0.7),
    metrics.CategoricalAccuracy(), metrics.SparseCategoricalAccuracy(),
    metrics.TopKCategoricalAccuracy(k=3),
    metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
    metrics.MeanSquaredError(), metrics.MeanAbsoluteError(),
    metrics.MeanAbsolutePercentageError(), metrics.MeanSquaredLogarithmicError(),
    metrics.RootMeanSquaredError(), metrics.CosineSimilarity(axis=0),
    metrics.LogCoshError(), metrics.Precision(thresholds=[0.3, 0.6], class_id=1),
    metrics.Recall(top_k=2), metrics.Precision(thresholds=0.4),
    metrics.AUC(num_thresholds=50, curve="PR", summation_method="majoring"),
    metrics.AUC(thresholds=[0.25, 0.5], multi_label=True, num_labels=2,
                label_weights=[1.0, 3.0], from_logits=True),
    metrics.F1Score(average="macro", threshold=0.4),
    metrics.FBetaScore(average="weighted", beta=2.0),
]


@pytest.mark.parametrize("metric", ALL, ids=lambda m: type(m).__name__)
def test_every_metric_config_round_trips_through_json(metric):
    config = json.loads(json.dumps(metrics.serialize(metric)))
    assert config["class_name"] == type(metric).__name__
    rebuilt = metrics.deserialize(config)
    assert type(rebuilt) is type(metric)
    assert rebuilt.get_config() == metric.get_config()
    assert rebuilt.name == metric.name


def test_wrapper_config_saves_the_function_by_name():
    config = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.3)
    assert config.get_config()["fn"] == "binary_accuracy"
    assert "fn" not in metrics.BinaryAccuracy().get_config()
    assert metrics.deserialize("mse").name == "mean_squared_error"
    assert metrics.serialize(metrics.accuracy) == "accuracy"
