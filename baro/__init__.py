"""baro: a small deep-learning framework on NumPy, with a Keras-compatible API.

`import baro as tf` gives TensorFlow's top-level names (`tf.constant`,
`tf.reduce_sum`, `tf.GradientTape`, `tf.nn.relu`, ...); `baro.ops` holds the same
ops under Keras's names. See docs/architecture.md for the package map.
"""

import importlib as _importlib

import numpy as _np

from baro import backend, math, nn, ops, random, utils
from baro.array_ops import (
    clip_by_value,
    concat,
    identity,
    pad,
    split,
    transpose,
    unstack,
    where,
)
from baro.core import (
    Function,
    GradientTape,
    Tensor,
    Variable,
    enable_grad,
    grad,
    no_grad,
    value_and_grad,
)
from baro.function import function
from baro.math import (
    abs,
    add,
    argmax,
    argmin,
    cos,
    cumsum,
    divide,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    pow,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_sum,
    reduce_variance,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    subtract,
    tanh,
)
from baro.ops import (
    broadcast_to,
    cast,
    constant,
    convert_to_tensor,
    expand_dims,
    eye,
    fill,
    gather,
    linspace,
    matmul,
    one_hot,
    ones,
    ones_like,
    repeat,
    reshape,
    squeeze,
    stack,
    stop_gradient,
    tile,
    zeros,
    zeros_like,
)
from baro.ops.creation import range
from baro.saving import formats as _formats
from baro.tf2_extras import (
    TensorSpec,
    device,
    executing_eagerly,
    is_tensor,
    newaxis,
    rank,
    shape,
    size,
)
from baro.utils.version import __version__

# TensorFlow-style dtype names: `baro.float32` works wherever a dtype is expected.
float16 = _np.dtype("float16")
float32 = _np.dtype("float32")
float64 = _np.dtype("float64")
int8 = _np.dtype("int8")
int16 = _np.dtype("int16")
int32 = _np.dtype("int32")
int64 = _np.dtype("int64")
uint8 = _np.dtype("uint8")
bool = _np.dtype("bool")  # noqa: A001 - the TF name

# The Keras stack (layers, models, training, ...) loads on first use, so that
# `import baro` for tensors and autodiff stays fast (docs/architecture.md).
_LAZY = {"keras", "layers", "models", "losses", "metrics", "optimizers", "image",
         "datasets", "plot", "evaluation", "data", "config", "compat",
         "callbacks", "activations", "initializers", "regularizers", "constraints",
         "saving", "training", "testing", "export", "interop", "diagnostics"}


def _provide(module: str):
    return lambda: _importlib.import_module(module)


# Optional file formats live above the saving layer; they register themselves
# when first needed (`model.export(...)`, loading a Keras file).
_formats.register_provider("onnx", _provide("baro.export"))
for _name in ("keras", "keras_h5", "weights_h5"):
    _formats.register_provider(_name, _provide("baro.interop"))


def __getattr__(name: str):
    if name == "evaluate_robustness":
        from baro.evaluation import evaluate_robustness

        return evaluate_robustness
    if name in _LAZY:
        module = _importlib.import_module(f"baro.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'baro' has no attribute {name!r}")
