"""Binds operators and methods onto Tensor, in one table (imported by baro/ops).

core/ cannot import ops/ (imports flow downward), so Tensor's `+`, `@`, `.sum()`
are attached here, once, when `baro.ops` is imported: which `import baro` does
before any user code runs.
"""

from __future__ import annotations

from baro.core.tensor import Tensor
from baro.ops import (
    activation,
    arithmetic,
    comparison,
    indexing,
    linalg,
    math,
    reduction,
    shape,
)


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    return method


def _reshape(self, *shape_):
    # Accept both x.reshape(2, 3) and x.reshape((2, 3)), as NumPy does.
    if len(shape_) == 1 and not isinstance(shape_[0], int):
        shape_ = shape_[0]
    return shape.reshape(self, shape_)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return shape.transpose(self, axes or None)

OPERATORS = {
    "__add__": arithmetic.add,
    "__radd__": _reflected(arithmetic.add),
    "__sub__": arithmetic.subtract,
    "__rsub__": _reflected(arithmetic.subtract),
    "__mul__": arithmetic.multiply,
    "__rmul__": _reflected(arithmetic.multiply),
    "__truediv__": arithmetic.divide,
    "__rtruediv__": _reflected(arithmetic.divide),
    "__pow__": arithmetic.power,
    "__rpow__": _reflected(arithmetic.power),
    "__matmul__": linalg.matmul,
    "__rmatmul__": _reflected(linalg.matmul),
    "__floordiv__": comparison.floor_divide,
    "__rfloordiv__": _reflected(comparison.floor_divide),
    "__mod__": comparison.mod,
    "__rmod__": _reflected(comparison.mod),
    "__neg__": arithmetic.negative,
    "__pos__": lambda self: self,
    "__abs__": math.abs,
    "__eq__": comparison.equal,
    "__ne__": comparison.not_equal,
    "__lt__": comparison.less,
    "__le__": comparison.less_equal,
    "__gt__": comparison.greater,
    "__ge__": comparison.greater_equal,
    "__and__": comparison.logical_and,
    "__or__": comparison.logical_or,
    "__xor__": comparison.logical_xor,
    "__invert__": comparison.logical_not,
    "__getitem__": indexing.getitem,
}

METHODS = {
    "sum": reduction.sum,
    "mean": reduction.mean,
    "max": reduction.max,
    "min": reduction.min,
    "prod": reduction.prod,
    "var": reduction.var,
    "std": reduction.std,
    "argmax": reduction.argmax,
    "argmin": reduction.argmin,
    "cumsum": reduction.cumsum,
    "reshape": _reshape,
    "transpose": _transpose,
    "T": property(lambda self: shape.transpose(self)),
    "flatten": lambda self: shape.reshape(self, (-1,)),
    "squeeze": shape.squeeze,
    "expand_dims": shape.expand_dims,
    "astype": math.cast,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": math.abs,
    "clip": math.clip,
    "tanh": activation.tanh,
    "sigmoid": activation.sigmoid,
    "relu": activation.relu,
    "softmax": activation.softmax,
    "matmul": linalg.matmul,
}


def install() -> None:
    """Attaches every entry of OPERATORS and METHODS to Tensor."""
    for name, fn in {**OPERATORS, **METHODS}.items():
        setattr(Tensor, name, fn)
    # Defining __eq__ removes the inherited hash; tensors hash by identity.
    Tensor.__hash__ = object.__hash__
