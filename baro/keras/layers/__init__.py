"""`keras.layers`, plus Keras 2's module paths as thin aliases
(`from baro.keras.layers.core import Dense`, `...convolutional import Conv2D`,
`...recurrent import LSTM`, `...embeddings`, `...normalization`, `...pooling`,
`...merge`, `...wrappers`, `...advanced_activations`, `...noise`)."""

from baro.keras.layers import (
    advanced_activations,
    convolutional,
    core,
    embeddings,
    merge,
    noise,
    normalization,
    pooling,
    recurrent,
    wrappers,
)
from baro.layers import *  # noqa: F403
from baro.layers import __all__  # noqa: F401
