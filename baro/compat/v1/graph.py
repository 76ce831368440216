"""TF1 graphs: placeholders, variables and ops recorded as nodes, run by a Session.

A `GraphTensor` is a node: where its value will come from (a feed, a variable,
or a baro function applied to other nodes). Nothing is computed when the graph
is built; `Session.run` evaluates the nodes it needs, tracing the baro ops once
per feed signature into a `baro.core.plan.Plan` that later runs replay.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager

import numpy as np

from baro.backend.config import floatx, standardize_dtype


class TensorShape:
    """TF1's static shape: `as_list()`, indexing (None for unknown), `ndims`."""

    def __init__(self, dims) -> None:
        self.dims = None if dims is None else tuple(
            None if d is None else int(d) for d in dims)

    def as_list(self) -> list:
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self.dims)

    @property
    def ndims(self):
        return None if self.dims is None else len(self.dims)

    rank = ndims

    def __getitem__(self, index):
        return self.dims[index]

    def __iter__(self):
        return iter(self.dims or ())

    def __len__(self) -> int:
        return len(self.dims or ())

    def __eq__(self, other) -> bool:
        other = other.dims if isinstance(other, TensorShape) else tuple(other)
        return self.dims == other

    __hash__ = None

    def __repr__(self) -> str:
        if self.dims is None:
            return "TensorShape(None)"
        return "TensorShape([" + ", ".join(
            "None" if d is None else str(d) for d in self.dims) + "])"

    def __str__(self) -> str:
        if self.dims is None:
            return "<unknown>"
        inner = ", ".join("?" if d is None else str(d) for d in self.dims)
        return f"({inner}{',' if len(self.dims) == 1 else ''})"


class Graph:
    """A TF1 graph: the nodes built while it is the default one."""

    def __init__(self) -> None:
        self.variables: list = []
        self.collections: dict[str, list] = {}
        self._names: dict[str, int] = {}
        self.sessions: list = []
        # Optimizers whose train ops are in this graph: their slots (TF1 slot
        # variables) are reset by global_variables_initializer.
        self.optimizers: list = []

    def unique_name(self, base: str) -> str:
        count = self._names.get(base, 0)
        self._names[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    @contextmanager
    def as_default(self):
        global _default
        previous = _default
        _default = self
        try:
            yield self
        finally:
            _default = previous

    def get_collection(self, key: str) -> list:
        return list(self.collections.get(key, []))


_default = Graph()
_ids = itertools.count()


def get_default_graph() -> Graph:
    """The graph new nodes go into."""
    return _default


def reset_default_graph() -> None:
    """Starts a fresh default graph (`tf.reset_default_graph()`)."""
    global _default
    _default = Graph()


class GraphTensor:
    """A symbolic tensor of a TF1 graph.

    Attributes:
        kind: "placeholder", "variable" or "op".
        fn, args, kwargs: For "op": the baro function and its arguments (which
            may hold other GraphTensors).
        index: Position among a multi-output op's results (None if single).
    """

    def __init__(self, kind: str, name: str, dtype=None, shape=None, fn=None,
                 args=(), kwargs=None, index=None, source=None) -> None:
        self.id = next(_ids)
        self.graph = _default
        self.kind = kind
        self.name = self.graph.unique_name(name)
        self.fn = fn
        self.args = args
        self.kwargs = kwargs or {}
        self.index = index
        self.source = source  # the shared node of a multi-output op
        self._dtype = None if dtype is None else standardize_dtype(dtype)
        self._shape = None if shape is None else TensorShape(shape)

    # -- static facts --------------------------------------------------------------
    @property
    def dtype(self):
        if self._dtype is None:
            self._infer()
        return np.dtype(self._dtype)

    @property
    def shape(self) -> TensorShape:
        if self._shape is None:
            self._infer()
        return self._shape

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def op(self):
        return self

    def _infer(self) -> None:
        from baro.compat.v1.inference import infer

        shape, dtype = infer(self)
        self._shape = TensorShape(shape)
        self._dtype = dtype

    def eval(self, feed_dict=None, session=None):
        """The value in `session` (default: the innermost open Session)."""
        from baro.compat.v1.session import default_session

        return (session or default_session()).run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
        return (f"<baro.compat.v1 Tensor '{self.name}:0' shape={self.shape} "
                f"dtype={self.dtype.name}>")

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            "A TF1 graph tensor has no value until Session.run computes it; it "
            "cannot be used in an `if`. Use tf.cond-free code or run it first.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"Graph tensor '{self.name}' has no value yet: run it with "
            "sess.run(tensor) to get a NumPy array.")

    def __iter__(self):
        raise TypeError(f"Graph tensor '{self.name}' is not iterable before it "
                        "runs; use tf.unstack or index it.")


def op_node(fn, args, kwargs, name: str):
    """A node applying `fn` (a baro function) to arguments holding graph tensors.

    Functions returning several tensors (split, unstack) give a list of nodes.
    """
    node = GraphTensor("op", name, fn=fn, args=args, kwargs=kwargs)
    from baro.compat.v1.inference import output_count

    count = output_count(node)
    if count is None:
        return node
    return [GraphTensor("op", f"{name}_{i}", fn=fn, args=args, kwargs=kwargs,
                        index=i, source=node) for i in range(count)]


def is_graph(value) -> bool:
    """True if `value` (or anything nested in it) is a graph tensor."""
    if isinstance(value, GraphTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(is_graph(v) for v in value)
    if isinstance(value, dict):
        return any(is_graph(v) for v in value.values())
    return False


def placeholder(dtype, shape=None, name: str | None = None) -> GraphTensor:
    """A value fed at run time (`tf.placeholder(tf.float32, [None, 5])`)."""
    return GraphTensor("placeholder", name or "Placeholder", dtype=dtype,
                       shape=shape)


def default_float() -> str:
    return floatx()
