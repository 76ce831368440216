"""`baro.keras`: the tf.keras / Keras 3 namespace (`from baro.keras.layers import
Dense`, `baro.keras.Sequential`, `baro.keras.optimizers.Adam`, ...)."""

from baro.keras import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    preprocessing,
    regularizers,
    saving,
    utils,
)
from baro.layers import Input, Layer
from baro.models import Model, Sequential

__all__ = [
    "Input", "Layer", "Model", "Sequential", "activations", "backend", "callbacks",
    "config", "constraints", "datasets", "initializers", "layers", "losses",
    "metrics", "models", "optimizers", "preprocessing", "regularizers", "saving",
    "utils",
]
