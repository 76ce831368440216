"""TF1 variables, their initializers, variable scopes, assign and group ops."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from baro.backend.arrays import convert_to_array
from baro.backend.config import floatx, standardize_dtype
from baro.compat.v1.graph import GraphTensor, get_default_graph, is_graph
from baro.core.tensor import Tensor
from baro.core.variable import Variable as _BaroVariable

GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"


class Operation:
    """A fetchable that does something and returns None (TF1's Operation)."""

    def __init__(self, kind: str, name: str, **parts) -> None:
        self.kind = kind
        self.name = get_default_graph().unique_name(name)
        self.graph = get_default_graph()
        self.__dict__.update(parts)

    def run(self, feed_dict=None, session=None) -> None:
        from baro.compat.v1.session import default_session

        (session or default_session()).run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
        return f"<baro.compat.v1 Operation '{self.name}' type={self.kind}>"


class Variable(GraphTensor):
    """A TF1 variable: a graph node whose value lives across `Session.run` calls.

    Its value must be set by an initializer op (`tf.global_variables_initializer()`)
    before use; the value itself is a baro Variable updated in place by
    optimizers and assign ops.

    Args:
        initial_value: Array, number, list, baro Tensor, a callable returning one,
            or a graph tensor (evaluated when the initializer runs).
        trainable: Whether optimizers update it by default.
        name: Variable name (uniquified in the graph).
        dtype: Optional dtype (Python floats become float32, as in TF).
    """

    def __init__(self, initial_value=None, trainable: bool = True,
                 name: str | None = None, dtype=None, **kwargs) -> None:
        if initial_value is None:
            raise ValueError("tf.Variable needs an initial_value.")
        if callable(initial_value) and not isinstance(initial_value, GraphTensor):
            initial_value = initial_value()
        self.initial = initial_value
        if is_graph(initial_value):
            dtype = dtype or initial_value.dtype
            shape = initial_value.shape.dims
        else:
            array = _array(initial_value, dtype)
            dtype, shape = array.dtype, array.shape
            self.initial = array
        super().__init__("variable", name or "Variable", dtype=dtype, shape=shape)
        self.trainable = trainable
        self.value_holder: _BaroVariable | None = None
        graph = get_default_graph()
        graph.variables.append(self)
        graph.collections.setdefault(GLOBAL_VARIABLES, []).append(self)
        if trainable:
            graph.collections.setdefault(TRAINABLE_VARIABLES, []).append(self)

    def initial_array(self) -> np.ndarray:
        """The initial value as an array (graph initial values: evaluated)."""
        if self.value_holder is not None:
            return self.value_holder.data
        if is_graph(self.initial):
            from baro.compat.v1.inference import _standin

            return _standin(self.initial, 2).data
        return self.initial

    @property
    def initializer(self) -> Operation:
        return Operation("init", f"{self.name}/Assign", variables=[self])

    @property
    def initialized(self) -> bool:
        return self.value_holder is not None

    def initialized_value(self):
        return self

    def value(self):
        return self

    read_value = value

    def assign(self, value, name=None):
        return assign(self, value, name=name)

    def assign_add(self, delta, name=None):
        return assign(self, delta, name=name, mode="add")

    def assign_sub(self, delta, name=None):
        return assign(self, delta, name=name, mode="sub")

    def load(self, value, session=None) -> None:
        """Writes `value` directly (TF1 `Variable.load`)."""
        self._set(_array(value, self._dtype))

    def _set(self, array) -> None:
        array = np.asarray(array, dtype=self._dtype)
        if self.value_holder is None:
            self.value_holder = _BaroVariable(array, trainable=self.trainable,
                                              name=self.name, dtype=self._dtype)
        else:
            self.value_holder.assign(array)


def _array(value, dtype):
    if isinstance(value, Tensor):
        value = value.data
    if dtype is None and isinstance(value, (float, list)) and \
            np.asarray(value).dtype.kind == "f":
        dtype = floatx()
    return convert_to_array(value, None if dtype is None else standardize_dtype(dtype))


def assign(ref: Variable, value, name=None, mode: str = "set") -> GraphTensor:
    """`tf.assign(ref, value)`: a node that writes into the variable when run and
    evaluates to its new value (`mode` "add"/"sub" for assign_add/assign_sub)."""
    node = GraphTensor("assign", name or "Assign", dtype=ref._dtype,
                       shape=ref.shape.dims)
    node.target = ref
    node.value = value
    node.mode = mode
    return node


def group(*inputs, name=None) -> Operation:
    """Runs all of `inputs` (ops and tensors) together."""
    flat = []
    for item in inputs:
        flat.extend(item if isinstance(item, (list, tuple)) else [item])
    return Operation("group", name or "group_deps", parts=flat)


def no_op(name=None) -> Operation:
    return Operation("group", name or "NoOp", parts=[])


class GlobalVariables(list):
    """What `global_variables()` returns: in TF1 the optimizers' slot
    variables are among them, so initializing this list resets those too."""


def variables_initializer(var_list, name: str = "init") -> Operation:
    """An op that initializes the given variables (and, for the list
    `global_variables()` returned, the optimizers' slots, as TF1 does)."""
    op = Operation("init", name, variables=list(var_list))
    op.with_slots = isinstance(var_list, GlobalVariables)
    return op


def global_variables(scope=None) -> list:
    found = _scoped(GLOBAL_VARIABLES, scope)
    return GlobalVariables(found) if not scope else found


def trainable_variables(scope=None) -> list:
    return _scoped(TRAINABLE_VARIABLES, scope)


def _scoped(key, scope):
    found = get_default_graph().get_collection(key)
    if scope:
        found = [v for v in found if v.name.startswith(scope)]
    return found


def global_variables_initializer() -> Operation:
    """Initializes every variable of the default graph (when run)."""
    return Operation("init", "init", variables=None)


initialize_all_variables = global_variables_initializer


# -- variable scopes and get_variable ------------------------------------------------
_scopes: list[tuple[str, bool]] = []


@contextmanager
def variable_scope(name_or_scope, reuse=None, default_name=None, **kwargs):
    """Prefixes variable names with `name/`; `reuse=True` makes get_variable
    return existing variables."""
    name = getattr(name_or_scope, "name", name_or_scope) or default_name
    inherited = _scopes[-1][1] if _scopes else False
    reuse_flag = inherited if reuse is None else bool(reuse)
    prefix = f"{_scopes[-1][0]}/{name}" if _scopes else name
    _scopes.append((prefix, reuse_flag))
    try:
        yield _Scope(prefix, reuse_flag)
    finally:
        _scopes.pop()


class _Scope:
    def __init__(self, name: str, reuse: bool) -> None:
        self.name = name
        self.reuse = reuse

    def reuse_variables(self) -> None:
        _scopes[-1] = (_scopes[-1][0], True)


AUTO_REUSE = "auto_reuse"


def get_variable(name: str, shape=None, dtype=None, initializer=None,
                 regularizer=None, trainable: bool = True, **kwargs) -> Variable:
    """Creates (or, in a reusing scope, returns) a named variable.

    The default initializer is Glorot-uniform, as TF1's.

    Raises:
        ValueError: If the variable exists and the scope does not reuse, or it
            does not exist and the scope reuses.
    """
    from baro import initializers

    full = f"{_scopes[-1][0]}/{name}" if _scopes else name
    reuse = _scopes[-1][1] if _scopes else False
    existing = [v for v in get_default_graph().variables if v.name == full]
    if existing and reuse:
        return existing[0]
    if existing and reuse is not AUTO_REUSE:
        raise ValueError(f"Variable {full} already exists; use "
                         "tf.variable_scope(..., reuse=True) to share it.")
    if reuse is True:
        raise ValueError(f"Variable {full} does not exist, but the scope reuses.")
    dtype = standardize_dtype(dtype or "float32")
    if initializer is None:
        initializer = initializers.GlorotUniform()
    if callable(initializer):
        value = initializer(tuple(shape), dtype=dtype)
    else:
        value = np.full(tuple(shape or ()), initializer, dtype=dtype) \
            if np.ndim(initializer) == 0 and shape is not None else initializer
    return Variable(value, trainable=trainable, name=full, dtype=dtype)
