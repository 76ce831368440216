"""Level 3: every differentiable op, under its Keras name (`baro.ops.*`).

Each family file holds Function subclasses (forward and backward side by side)
and the lowercase functions users call. Importing this package also binds the
Tensor operators (see tensor_methods.py).
"""

from baro.ops import image, tensor_methods
from baro.ops.activation import (
    elu,
    gelu,
    hard_sigmoid,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    swish,
    tanh,
)
from baro.ops.arithmetic import (
    add,
    divide,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    square,
    subtract,
)
from baro.ops.attention import dot_product_attention
from baro.ops.comparison import (
    equal,
    floor_divide,
    greater,
    greater_equal,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    mod,
    not_equal,
)
from baro.ops.convolution import conv, conv1d, conv2d
from baro.ops.creation import (
    constant,
    convert_to_tensor,
    eye,
    fill,
    linspace,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from baro.ops.indexing import gather, getitem, one_hot, take, take_along_axis, where
from baro.ops.linalg import matmul
from baro.ops.math import (
    abs,
    cast,
    ceil,
    clip,
    cos,
    erf,
    exp,
    floor,
    log,
    log1p,
    round,
    rsqrt,
    sign,
    sin,
    sqrt,
    stop_gradient,
)
from baro.ops.nn import (
    dropout,
    embedding_lookup,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
)
from baro.ops.normalization import batch_normalization, moments
from baro.ops.pooling import (
    average_pool,
    avg_pool1d,
    avg_pool2d,
    max_pool,
    max_pool1d,
    max_pool2d,
)
from baro.ops.reduction import (
    all,
    any,
    argmax,
    argmin,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    var,
)
from baro.ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    pad,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    tile,
    transpose,
)
from baro.ops.transposed_convolution import conv2d_transpose, conv_transpose

tensor_methods.install()
