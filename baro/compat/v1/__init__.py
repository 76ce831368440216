"""`import baro.compat.v1 as tf`: TensorFlow 1's graph mode, as books use it.

Build a graph with `tf.placeholder`, `tf.Variable` and ops, then run it:

    >>> import baro.compat.v1 as tf
    >>> tf.disable_v2_behavior()
    >>> tf.reset_default_graph()
    >>> x = tf.placeholder(tf.float32, [None, 2])
    >>> w = tf.Variable(tf.ones([2, 1]))
    >>> y = tf.matmul(x, w)
    >>> with tf.Session() as sess:
    ...     sess.run(tf.global_variables_initializer())
    ...     print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    [[3.]]

Every op is a baro op applied when the session runs; a session compiles each
fetch/feed signature once and replays it, so training loops of 100,000 steps
run at a few microseconds of framework overhead per op. See docs/keras_compat.md.
"""

from __future__ import annotations

import baro as _baro
from baro import math as _math_ns
from baro import nn as _nn_ns
from baro.compat.v1 import train
from baro.compat.v1.graph import (
    Graph,
    GraphTensor,
    TensorShape,
    get_default_graph,
    is_graph,
    op_node,
    placeholder,
    reset_default_graph,
)
from baro.compat.v1.session import FailedPreconditionError, InteractiveSession, Session
from baro.compat.v1.variables import (
    AUTO_REUSE,
    Operation,
    Variable,
    assign,
    get_variable,
    global_variables,
    global_variables_initializer,
    group,
    initialize_all_variables,
    no_op,
    trainable_variables,
    variable_scope,
    variables_initializer,
)

float16 = _baro.float16
float32 = _baro.float32
float64 = _baro.float64
int8 = _baro.int8
int16 = _baro.int16
int32 = _baro.int32
int64 = _baro.int64
uint8 = _baro.uint8
bool = _baro.bool  # noqa: A001 - the TF name
newaxis = None


def _graph_aware(fn, name: str):
    """`fn` unchanged on values; on graph tensors, a graph node calling `fn` later."""

    def op(*args, **kwargs):
        kwargs.pop("name", None)
        if is_graph(args) or is_graph(kwargs):
            return op_node(fn, args, kwargs, name)
        return fn(*args, **kwargs)

    op.__name__ = name
    op.__doc__ = fn.__doc__
    return op


_TOP = """abs add argmax argmin broadcast_to cast clip_by_value concat cos cumsum
divide equal exp expand_dims fill gather greater greater_equal identity less
less_equal linspace log logical_and logical_not logical_or matmul maximum minimum
multiply negative not_equal one_hot ones_like pad pow range reduce_all reduce_any
reduce_logsumexp reduce_max reduce_mean reduce_min reduce_prod reduce_std
reduce_sum reduce_variance repeat reshape sigmoid sign sin split sqrt square squeeze
stack stop_gradient subtract tanh tile transpose unstack where zeros_like""".split()
for _name in _TOP:
    globals()[_name] = _graph_aware(getattr(_baro, _name), _name)
del _name

# Creation ops make constants right away: their values do not depend on feeds.
constant = _baro.constant
convert_to_tensor = _baro.convert_to_tensor
zeros = _baro.zeros
ones = _baro.ones
eye = _baro.eye
random_normal = _baro.random.normal
random_uniform = _baro.random.uniform
truncated_normal = _baro.random.truncated_normal
random_shuffle = _baro.random.shuffle
set_random_seed = _baro.utils.set_random_seed
log = _graph_aware(_baro.math.log, "log")
sqrt = _graph_aware(_baro.math.sqrt, "sqrt")
div = _graph_aware(_baro.math.divide, "div")
truediv = _graph_aware(_baro.math.truediv, "truediv")
squared_difference = _graph_aware(_baro.math.squared_difference, "squared_difference")
to_float = _graph_aware(lambda x: _baro.cast(x, "float32"), "to_float")
to_int32 = _graph_aware(lambda x: _baro.cast(x, "int32"), "to_int32")
shape = _graph_aware(lambda x: _baro.constant(list(_baro.convert_to_tensor(x).shape),
                                              dtype="int32"), "shape")


def _argmax(input, axis=None, name=None, dimension=None, output_type=int64):  # noqa: A002
    axis = dimension if axis is None else axis
    return _graph_aware(_baro.math.argmax, "argmax")(input, axis,
                                                     output_type=output_type)


argmax = _argmax


class _Namespace:
    """A module-like object of graph-aware ops (`tf.nn`, `tf.math`)."""

    def __init__(self, source, names: list[str]) -> None:
        for name in names:
            setattr(self, name, _graph_aware(getattr(source, name), name))


nn = _Namespace(_nn_ns, [n for n in _nn_ns.__all__ if callable(getattr(_nn_ns, n))])
nn.softmax_cross_entropy_with_logits_v2 = nn.softmax_cross_entropy_with_logits
math = _Namespace(_math_ns, [n for n in _math_ns.__all__
                             if callable(getattr(_math_ns, n))])



def assign_add(ref, value, name=None):
    """`ref += value` when run; evaluates to the new value."""
    return assign(ref, value, name=name, mode="add")


def assign_sub(ref, value, name=None):
    """`ref -= value` when run; evaluates to the new value."""
    return assign(ref, value, name=name, mode="sub")


# TF1 initializers (for get_variable): TF1's defaults, baro's implementations.
def constant_initializer(value=0):
    return _baro.keras.initializers.Constant(value)


def zeros_initializer():
    return _baro.keras.initializers.Zeros()


def ones_initializer():
    return _baro.keras.initializers.Ones()


def random_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=None):
    return _baro.keras.initializers.RandomNormal(mean, stddev, seed)


def truncated_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=None):
    return _baro.keras.initializers.TruncatedNormal(mean, stddev, seed)


def random_uniform_initializer(minval=0.0, maxval=None, seed=None, dtype=None):
    return _baro.keras.initializers.RandomUniform(
        minval, 1.0 if maxval is None else maxval, seed)


def glorot_uniform_initializer(seed=None, dtype=None):
    return _baro.keras.initializers.GlorotUniform(seed)


def glorot_normal_initializer(seed=None, dtype=None):
    return _baro.keras.initializers.GlorotNormal(seed)


def gradients(ys, xs, grad_ys=None, name=None, **kwargs) -> list:
    """Symbolic d(sum of ys)/d x for each x (`tf.gradients`)."""
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    xs_list = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    result = []
    for position, x in enumerate(xs_list):
        node = GraphTensor("gradient", f"gradients/{x.name}_grad", dtype=x._dtype,
                           shape=None if x._shape is None else x._shape.dims)
        node.ys = ys
        node.xs = xs_list
        node.position = position
        result.append(node)
    return result


def disable_v2_behavior() -> None:
    """Accepted: baro.compat.v1 is graph mode already."""


disable_eager_execution = disable_v2_behavior
enable_v2_behavior = disable_v2_behavior


def executing_eagerly() -> bool:
    return False


_OPERATORS = {
    "__add__": "add", "__sub__": "subtract", "__mul__": "multiply",
    "__truediv__": "divide", "__pow__": "pow", "__matmul__": "matmul",
    "__lt__": "less", "__le__": "less_equal", "__gt__": "greater",
    "__ge__": "greater_equal",
}


def _install_operators() -> None:
    for dunder, name in _OPERATORS.items():
        fn = globals()[name]
        setattr(GraphTensor, dunder, lambda self, other, fn=fn: fn(self, other))
        reflected = "__r" + dunder[2:]
        if name not in ("less", "less_equal", "greater", "greater_equal"):
            setattr(GraphTensor, reflected,
                    lambda self, other, fn=fn: fn(other, self))
    GraphTensor.__neg__ = lambda self: negative(self)  # noqa: F821
    GraphTensor.__abs__ = lambda self: abs(self)  # noqa: F821
    GraphTensor.__getitem__ = lambda self, key: op_node(
        _baro.ops.getitem, (self, key), {}, "strided_slice")


_install_operators()

__all__ = [name for name in dir() if not name.startswith("_")]
del annotations
