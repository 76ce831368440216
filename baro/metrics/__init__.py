"""Level 6: stateful metrics (`Metric` subclasses) and per-sample metric functions.

`get(name)` follows `keras.metrics.get`: class names and their snake-case
forms ("AUC", "auc", "binary_accuracy", "mse") give instances; "accuracy" and
"acc" give the `accuracy` function, which the trainer resolves to the right
accuracy for its outputs. The loss functions are re-exported here, as in Keras.
"""

from baro import losses as _losses
from baro.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from baro.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from baro.metrics.confusion_metrics import AUC, Precision, Recall
from baro.metrics.f_score_metrics import F1Score, FBetaScore
from baro.metrics.metric import Metric, _snake_case
from baro.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from baro.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    cosine_similarity,
)
from baro.saving import serialization as _serialization

_CLASSES = (
    Mean, Sum, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity,
    LogCoshError, AUC, Precision, Recall, Accuracy, BinaryAccuracy,
    CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, F1Score, FBetaScore,
)
_FUNCTIONS = (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    cosine_similarity,
)
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
# Looked up before the shared registry, where losses of the same name live.
_CLASS_TABLE = {cls.__name__: cls
                for cls in (Metric, MeanMetricWrapper) + _CLASSES}
ALL_OBJECTS.update({_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS.update({
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    # The trainer picks binary / categorical / sparse accuracy for these.
    "accuracy": accuracy, "acc": accuracy,
})
# Keras has metric classes of these names, each the weighted mean of the loss
# function; here the function is returned, for MeanMetricWrapper to average.
ALL_OBJECTS.update({fn.__name__: fn for fn in (
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    kl_divergence, poisson, hinge, squared_hinge, categorical_hinge)})
ALL_OBJECTS.update({"bce": binary_crossentropy, "BCE": binary_crossentropy})


def get(identifier):
    """Resolves a metric identifier, like `keras.metrics.get`.

    Args:
        identifier: None; a name ("auc", "AUC", "mse", "binary_accuracy" give
            a new Metric instance; "accuracy"/"acc" the `accuracy` function;
            loss names such as "binary_crossentropy" or "hinge" the loss
            function, to be averaged by MeanMetricWrapper); a config dict from
            `serialize`; a Metric class (instantiated); or any callable
            (returned as is).

    Returns:
        A Metric instance, a metric function, or None.

    Raises:
        ValueError: For an unknown name, listing the valid ones.

    Example:
        >>> from baro import metrics
        >>> metrics.get("auc").name
        'auc'
        >>> metrics.get("acc").__name__
        'accuracy'
    """
    return _serialization.get_from_family(identifier, ALL_OBJECTS, "metric",
                                          custom_objects=_CLASS_TABLE)


def get_function(name: str):
    """The per-sample function called `name`: a metric function, else a loss
    function, else a registered object (used to rebuild MeanMetricWrapper).

    Raises:
        ValueError: For an unknown name.
    """
    functions = {fn.__name__: fn for fn in _FUNCTIONS}
    if name in functions:
        return functions[name]
    return _losses.get(name)


def serialize(metric):
    """A JSON-ready description: a config dict for Metric instances, the name
    for functions."""
    return _serialization.serialize(metric)


def deserialize(config, custom_objects: dict | None = None):
    """Rebuilds a metric from `serialize`'s output (a dict or a name)."""
    custom_objects = {**_CLASS_TABLE, **(custom_objects or {})}
    if isinstance(config, str):
        return _serialization.get_from_family(
            config, ALL_OBJECTS, "metric", custom_objects=custom_objects)
    return _serialization.deserialize(config, custom_objects, family="metric")


__all__ = sorted(
    [obj.__name__ for obj in _CLASSES + _FUNCTIONS]
    + ["ALL_OBJECTS", "Metric", "MeanMetricWrapper", "binary_crossentropy",
       "binary_focal_crossentropy", "categorical_crossentropy",
       "categorical_hinge", "deserialize", "get", "get_function", "hinge", "huber",
       "kl_divergence", "log_cosh", "mean_absolute_error",
       "mean_absolute_percentage_error", "mean_squared_error",
       "mean_squared_logarithmic_error", "poisson",
       "sparse_categorical_crossentropy", "serialize", "squared_hinge"]
)
