"""Static shapes and dtypes of TF1 graph nodes, by evaluating them on stand-ins.

A node's shape is found by running its ops eagerly on small zero-filled stand-ins
for the placeholders, once with unknown sizes set to 2 and once to 3: an axis
whose size changes between the two runs is unknown (None). Stand-in values are
cached on the nodes, so building a graph evaluates each op twice, on tiny data.
"""

from __future__ import annotations

import numpy as np

from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor

_FILLS = (2, 3)


def _standin(node, fill: int):
    cache = node.__dict__.setdefault("_standins", {})
    if fill in cache:
        return cache[fill]
    if node.kind == "placeholder":
        if node._shape is None or node._shape.dims is None:
            raise ValueError(
                f"Placeholder '{node.name}' has an unknown shape, so the shapes of "
                "what is computed from it cannot be known before it is fed; give "
                "it a shape, e.g. tf.placeholder(tf.float32, [None, 5]).")
        dims = tuple(fill if d is None else d for d in node._shape.dims)
        value = Tensor._wrap(np.zeros(dims, dtype=node._dtype))
    elif node.kind == "variable":
        value = Tensor._wrap(node.initial_array())
    elif node.index is not None:
        value = _standin(node.source, fill)[node.index]
    else:
        args = substitute(node.args, lambda n: _standin(n, fill))
        kwargs = substitute(node.kwargs, lambda n: _standin(n, fill))
        with no_grad():
            value = node.fn(*args, **kwargs)
    cache[fill] = value
    return value


def substitute(value, lookup):
    """Replaces each graph tensor in a structure by `lookup(node)`."""
    from baro.compat.v1.graph import GraphTensor

    if isinstance(value, GraphTensor):
        return lookup(value)
    if isinstance(value, tuple):
        return tuple(substitute(v, lookup) for v in value)
    if isinstance(value, list):
        return [substitute(v, lookup) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, lookup) for k, v in value.items()}
    return value


def infer(node) -> tuple[tuple, str]:
    """(shape with None for unknown sizes, dtype name) of a node."""
    a, b = (_standin(node, fill) for fill in _FILLS)
    if isinstance(a, (list, tuple)):
        raise TypeError(f"'{node.name}' has several outputs; index them.")
    shape = tuple(None if x != y else x for x, y in
                  zip(np.shape(a.data), np.shape(b.data), strict=True))
    return shape, a.data.dtype.name


def output_count(node) -> int | None:
    """How many tensors the op returns (None for a single tensor)."""
    value = _standin(node, _FILLS[0])
    if isinstance(value, (list, tuple)):
        return len(value)
    return None
