"""Level 5: losses, as per-sample functions and Keras-named classes.

`get("mse")` returns the function (as `keras.losses.get` does), a class name
such as `get("MeanSquaredError")` an instance, a config dict the rebuilt
object; callables pass through.
"""

from baro.losses.crossentropy import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
)
from baro.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from baro.losses.loss import (
    Loss,
    LossFunctionWrapper,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from baro.losses.probabilistic import KLDivergence, Poisson, kl_divergence, poisson
from baro.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from baro.losses.sparse_crossentropy import (
    SparseCategoricalCrossentropy,
    sparse_categorical_crossentropy,
)
from baro.saving import serialization as _serialization

_CLASSES = (
    MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
    CosineSimilarity, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson,
    Hinge, SquaredHinge, CategoricalHinge,
)
_FUNCTIONS = (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, cosine_similarity,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge,
    categorical_hinge,
)
ALL_OBJECTS = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
# Class names are looked up here before the shared registry, where metrics of
# the same name (MeanSquaredError, CosineSimilarity, ...) would shadow losses.
_CLASS_TABLE = {cls.__name__: cls for cls in (Loss, LossFunctionWrapper) + _CLASSES}
# Keras 3 aliases, plus the tf.keras 2 spellings users still write.
ALL_OBJECTS.update({
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
    "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "logcosh": log_cosh, "huber_loss": huber,
})


def get(identifier):
    """Resolves a loss identifier, like `keras.losses.get`.

    Args:
        identifier: None; a function name or alias ("mse",
            "binary_crossentropy", "logcosh", ...), which gives the function;
            a class name ("MeanSquaredError"), which gives an instance; a
            config dict from `serialize`; a Loss class (instantiated); or any
            callable (returned as is).

    Returns:
        A loss function, a Loss instance, or None.

    Raises:
        ValueError: For an unknown name, listing the valid ones.

    Example:
        >>> from baro import losses
        >>> losses.get("mse").__name__
        'mean_squared_error'
        >>> losses.get("BinaryCrossentropy").name
        'binary_crossentropy'
    """
    return _serialization.get_from_family(identifier, ALL_OBJECTS, "loss",
                                          custom_objects=_CLASS_TABLE)


def serialize(loss):
    """A JSON-ready description: a config dict for Loss instances, the name for
    functions."""
    return _serialization.serialize(loss)


def deserialize(config, custom_objects: dict | None = None):
    """Rebuilds a loss from `serialize`'s output (a dict or a function name)."""
    custom_objects = {**_CLASS_TABLE, **(custom_objects or {})}
    if isinstance(config, str):
        return _serialization.get_from_family(
            config, ALL_OBJECTS, "loss", custom_objects=custom_objects)
    return _serialization.deserialize(config, custom_objects, family="loss")


__all__ = sorted(
    [obj.__name__ for obj in _CLASSES + _FUNCTIONS]
    + ["ALL_OBJECTS", "Loss", "LossFunctionWrapper", "deserialize", "get",
       "reduce_weighted_values",
       "serialize", "squeeze_or_expand_to_same_rank"]
)
