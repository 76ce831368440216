"""TF1 `Session`: runs graph nodes, compiling each fetch/feed signature once.

The first `run` of a given set of fetches with given feed shapes evaluates the
needed nodes eagerly with baro ops while `baro.core.tracing` records them; the
record becomes a `Plan`, and every later run with the same signature replays it
on the fed arrays (no per-op Python wrappers), computes the gradients train ops
need from the same plan, and applies the TF1 optimizer updates in place.
"""

from __future__ import annotations

import numpy as np

from baro.compat.v1.graph import GraphTensor, get_default_graph
from baro.compat.v1.inference import substitute
from baro.compat.v1.variables import Operation, Variable
from baro.core import tracing
from baro.core.grad_mode import enable_grad
from baro.core.plan import Plan
from baro.core.tensor import Tensor

_stack: list = []


class FailedPreconditionError(RuntimeError):
    """A variable was used before its initializer ran (TF1's error name)."""


def default_session():
    """The innermost `with Session()` (or InteractiveSession)."""
    if not _stack:
        raise ValueError("No default session is registered: use `with tf.Session() "
                         "as sess:` or pass session=.")
    return _stack[-1]


def _flatten(fetches):
    """Leaves of a fetch structure and a function rebuilding it from values."""
    if isinstance(fetches, (list, tuple)):
        parts = [_flatten(f) for f in fetches]
        leaves = [leaf for p in parts for leaf in p[0]]
        kind = type(fetches)

        def rebuild(values, parts=parts, kind=kind):
            out, start = [], 0
            for leaf_list, build in parts:
                out.append(build(values[start:start + len(leaf_list)]))
                start += len(leaf_list)
            return kind(out) if kind is tuple else out

        return leaves, rebuild
    if isinstance(fetches, dict):
        keys = list(fetches)
        parts = [_flatten(fetches[k]) for k in keys]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(values, parts=parts, keys=keys):
            out, start = {}, 0
            for key, (leaf_list, build) in zip(keys, parts, strict=True):
                out[key] = build(values[start:start + len(leaf_list)])
                start += len(leaf_list)
            return out

        return leaves, rebuild
    return [fetches], lambda values: values[0]


# dtype name -> np.dtype, so a feed's dtype check is an identity test.
_DTYPES = {name: np.dtype(name) for name in (
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "bool")}


class _Compiled:
    """One traced signature: the plan and where each fetch, loss and gradient is."""

    def __init__(self, plan, fetch_slots, train, assigns, gradient_specs, feeds):
        self.plan = plan
        self.fetch_slots = fetch_slots
        self.train = train
        self.assigns = assigns
        self.gradient_specs = gradient_specs
        self.feed_nodes = feeds
        # (node id, slot, is a variable) for each plain value fetched.
        self.values = []


class Session:
    """Runs a TF1 graph (`with tf.Session() as sess: sess.run(...)`)."""

    def __init__(self, target: str = "", graph=None, config=None) -> None:
        self.graph = graph or get_default_graph()
        self._compiled: dict = {}
        self._validated: dict[int, tuple] = {}
        self._analysed: dict[int, tuple] = {}
        # id(fetch) -> (fetch, the feed signature (see `_same_signature`), the
        # function running the compiled signature on the plan's feeds): a
        # training loop's
        # `run(train_op, feed_dict=...)` with the signature of the last run
        # skips analysis, feed checks and signature lookup.
        self._fast: dict[int, tuple] = {}
        self._closed = False

    def __enter__(self):
        _stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        if _stack and _stack[-1] is self:
            _stack.pop()
        self.close()

    def as_default(self):
        return self

    def close(self) -> None:
        self._closed = True

    # -- running -------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Evaluates `fetches` (a node, op, or a list/tuple/dict nest of them).

        Raises:
            ValueError: For a placeholder that needs a feed and got none (naming
                it and its shape) or a feed of the wrong shape.
            FailedPreconditionError: For a variable used before initialization.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        fast = self._fast.get(id(fetches))
        if fast is not None and fast[0] is fetches and type(feed_dict) is dict:
            values = _same_signature(feed_dict, fast[1])
            if values is not None:
                results = fast[2](values)
                return None if isinstance(fetches, Operation) else \
                    results[fetches.id]
        # A single node or op (the training-loop case) is analysed only once.
        single = isinstance(fetches, (GraphTensor, Operation))
        analysed = self._analysed.get(id(fetches)) if single else None
        if analysed is None or analysed[0] is not fetches:
            leaves, rebuild = _flatten(fetches)
            values_needed, train_ops, inits = [], [], []
            self._expand(leaves, values_needed, train_ops, inits)
            identity = (tuple(n.id for n in values_needed),
                        tuple(id(op) for op in train_ops))
            analysed = (fetches, leaves, rebuild, values_needed, train_ops, inits,
                        identity)
            if single:
                self._analysed[id(fetches)] = analysed
        _, leaves, rebuild, values_needed, train_ops, inits, identity = analysed
        feeds = self._feeds(feed_dict or {})
        for op in inits:
            self._initialize(op)
        results: dict[int, object] = {}
        if values_needed or train_ops:
            results, compiled = self._execute(values_needed, train_ops, feeds,
                                              identity)
            if single and not inits and (feed_dict is None or
                                         type(feed_dict) is dict):
                self._remember(fetches, feed_dict or {}, feeds, compiled)
        out = []
        for leaf in leaves:
            out.append(None if isinstance(leaf, Operation) else results[leaf.id])
        return rebuild(out)

    def _expand(self, leaves, values, train_ops, inits) -> None:
        for leaf in leaves:
            if isinstance(leaf, Operation):
                if leaf.kind == "init":
                    inits.append(leaf)
                elif leaf.kind == "train":
                    train_ops.append(leaf)
                else:
                    self._expand(leaf.parts, values, train_ops, inits)
            elif isinstance(leaf, GraphTensor):
                values.append(leaf)
            else:
                raise TypeError(f"Fetch argument {leaf!r} has invalid type "
                                f"{type(leaf).__name__}; fetch graph tensors or ops.")

    def _feeds(self, feed_dict) -> dict:
        feeds = {}
        for key, value in feed_dict.items():
            if not isinstance(key, GraphTensor):
                raise TypeError(f"feed_dict keys must be graph tensors (placeholders)"
                                f", received {key!r}.")
            dtype = key._dtype
            if type(value) is np.ndarray and (value.dtype is _DTYPES.get(dtype)
                                              or value.dtype == dtype):
                array = value  # the common case: no conversion
            else:
                array = np.asarray(
                    value.numpy() if isinstance(value, Tensor) else value,
                    dtype=None if dtype is None else np.dtype(dtype))
            declared = key._shape.dims if key._shape is not None else None
            if self._validated.get(key.id) == array.shape:
                declared = None  # this shape was checked before
            if declared is not None and (len(declared) != array.ndim or any(
                    d is not None and d != n for d, n in zip(declared, array.shape,
                                                             strict=False))):
                raise ValueError(
                    f"Cannot feed value of shape {array.shape} for Tensor "
                    f"'{key.name}:0', which has shape '{key._shape}'.")
            self._validated[key.id] = array.shape
            feeds[key] = array
        return feeds

    def _initialize(self, op: Operation) -> None:
        # TF1's optimizer slots are global variables too: initializing all of
        # them (global_variables_initializer, or
        # variables_initializer(global_variables())) starts them afresh.
        if op.variables is None or getattr(op, "with_slots", False):
            for optimizer in self.graph.optimizers:
                optimizer.reset_state()
        variables = op.variables if op.variables is not None else self.graph.variables
        for variable in variables:
            initial = variable.initial
            if isinstance(initial, GraphTensor):
                initial = self.run(initial)
            variable._set(np.array(initial, dtype=variable._dtype, copy=True))

    def _execute(self, nodes, train_ops, feeds, identity) -> dict:
        key = (identity,
               tuple([(k.id, v.shape, v.dtype.char) for k, v in feeds.items()]))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(nodes, train_ops, feeds)
            self._compiled[key] = compiled
        return self._run_compiled(
            compiled, [feeds[n] for n in compiled.feed_nodes]), compiled

    def _remember(self, fetch, feed_dict: dict, feeds: dict, compiled) -> None:
        """Keeps the signature of this run for `run`'s fast path, when every
        feed was an ndarray taken as it was (no conversion)."""
        keys = tuple(feed_dict)
        if any(feed_dict[k] is not feeds.get(k) for k in keys):
            self._fast.pop(id(fetch), None)
            return
        # The plan's feeds first, in its order, then the keys it does not use
        # (still checked: a run with other feeds takes the full path).
        used = {id(n) for n in compiled.feed_nodes}
        order = list(compiled.feed_nodes) + [k for k in keys if id(k) not in used]
        self._fast[id(fetch)] = (
            fetch,
            (len(compiled.feed_nodes), len(keys),
             tuple((k, feeds[k].shape, feeds[k].dtype) for k in order)),
            _train_step(compiled) or (lambda values: self._run_compiled(
                compiled, values)))

    def _run_compiled(self, compiled, feed_values: list) -> dict:
        plan = compiled.plan
        slots = plan.run(feed_values)
        results = {}
        for node_id, slot, is_variable in compiled.values:
            # A variable's buffer changes later: hand out a copy.
            results[node_id] = np.array(slots[slot]) if is_variable else slots[slot]
        for node, x_slot, target_slot, sources in compiled.gradient_specs:
            grads = plan.gradients(slots, target_slot, sources)
            results[node.id] = grads[sources.index(x_slot)]
        for op, loss_slot, var_slots, variables in compiled.train:
            grads = plan.gradients(slots, loss_slot, var_slots)
            op.optimizer.apply_dense_updates(grads, variables)
            if op.global_step is not None:
                op.global_step.value_holder.data += 1
        for node, slot in compiled.assigns:
            target = node.target
            value = np.asarray(slots[slot], dtype=target._dtype)
            holder = target.value_holder
            if node.mode == "add":
                holder.data += value
            elif node.mode == "sub":
                holder.data -= value
            else:
                holder.data[...] = value
            results[node.id] = np.array(holder.data, copy=True)
        return results

    def _compile(self, nodes, train_ops, feeds) -> _Compiled:
        env: dict[int, object] = {}
        bound: list[tuple[GraphTensor, Tensor]] = []
        used_vars: list[Variable] = []
        wrt_feeds = {x.id for n in nodes if n.kind == "gradient" for x in n.xs}

        def evaluate(node):
            if node.id in env:
                return env[node.id]
            if node in feeds:
                value = Tensor._wrap(feeds[node])
                if node.id in wrt_feeds:
                    value.requires_grad = True
                bound.append((node, value))
            elif node.kind == "placeholder":
                raise ValueError(
                    f"You must feed a value for placeholder tensor '{node.name}' "
                    f"with dtype {node.dtype.name} and shape {node._shape}.")
            elif node.kind == "variable":
                if not node.initialized:
                    raise FailedPreconditionError(
                        f"Attempting to use uninitialized value {node.name}: run "
                        "tf.global_variables_initializer() first.")
                value = node.value_holder
                if all(v is not node for v in used_vars):
                    used_vars.append(node)
            elif node.kind == "assign":
                if not node.target.initialized:
                    raise FailedPreconditionError(
                        f"Attempting to use uninitialized value {node.target.name}.")
                value = evaluate(node.value) if isinstance(node.value, GraphTensor) \
                    else Tensor._wrap(np.asarray(node.value, node.target._dtype))
            elif node.kind == "gradient":
                value = None  # computed after the forward pass
            elif node.index is not None:
                value = evaluate(node.source)[node.index]
            else:
                args = substitute(node.args, evaluate)
                kwargs = substitute(node.kwargs, evaluate)
                value = node.fn(*args, **kwargs)
            env[node.id] = value
            return value

        grad_targets = []
        with enable_grad(), tracing.trace() as record:
            outs = [evaluate(n) for n in nodes]
            losses = [evaluate(op.loss) for op in train_ops]
            for n in nodes:
                if n.kind == "gradient":
                    from baro.ops import sum as reduce_sum

                    ys = [evaluate(y) for y in n.ys]
                    total = reduce_sum(ys[0])
                    for y in ys[1:]:
                        total = total + reduce_sum(y)
                    grad_targets.append(total)
                    for x in n.xs:
                        evaluate(x)
        holders = [v.value_holder for v in used_vars]
        computed = [o for o in outs if o is not None]
        plan = Plan(record, [t for _, t in bound], computed + losses + grad_targets,
                    holders)
        fetch_slots = [plan.slot(o) if o is not None else None for o in outs]
        gradient_specs = []
        targets = iter(grad_targets)
        for n in nodes:
            if n.kind == "gradient":
                target = next(targets)
                sources = [plan.slot(env[x.id]) for x in n.xs]
                gradient_specs.append((n, plan.slot(env[n.xs[n.position].id]),
                                       plan.slot(target), sources))
        train = []
        for op, loss in zip(train_ops, losses, strict=True):
            variables = [v for v in (op.var_list or used_vars)
                         if v.trainable and v in used_vars]
            if not variables:
                raise ValueError(f"No gradients provided for any variable: the loss "
                                 f"of {op.name} depends on no trainable variable.")
            train.append((op, plan.slot(loss),
                          [plan.slot(v.value_holder) for v in variables], variables))
        assigns = [(n, plan.slot(env[n.id])) for n in nodes if n.kind == "assign"]
        compiled = _Compiled(plan, fetch_slots, train, assigns, gradient_specs,
                             [node for node, _ in bound])
        compiled.values = [(n.id, slot, n.kind == "variable")
                           for n, slot in zip(nodes, fetch_slots, strict=True)
                           if slot is not None]
        return compiled


def _train_step(compiled: _Compiled):
    """For a run that only trains (one train op, nothing fetched or assigned):
    `_run_compiled` reduced to its calls, bound once. None otherwise, or
    before the plan's backward has been generated."""
    if len(compiled.train) != 1 or compiled.values or compiled.gradient_specs \
            or compiled.assigns:
        return None
    op, loss_slot, var_slots, variables = compiled.train[0]
    run = compiled.plan.runner()
    gradients = compiled.plan.gradient_function(loss_slot, var_slots)
    if gradients is None:
        return None
    apply = op.optimizer.apply_dense_updates
    counter = op.global_step
    empty: dict = {}

    def step(values: list) -> dict:
        apply(gradients(run(values)), variables)
        if counter is not None:
            counter.value_holder.data += 1
        return empty

    return step


def _same_signature(feed_dict: dict, signature: tuple):
    """The values the plan is fed, in its order, if `feed_dict` holds exactly
    the remembered keys with ndarrays of the remembered shapes and dtypes;
    else None. `signature`: (how many the plan uses, how many keys in all,
    (key, shape, dtype) for each, the plan's first)."""
    used, count, entries = signature
    if len(feed_dict) != count:
        return None
    values = []
    for key, shape, dtype in entries:
        value = feed_dict.get(key)
        if type(value) is not np.ndarray or value.shape != shape or \
                value.dtype != dtype:
            return None
        values.append(value)
    return values[:used] if used != count else values


class InteractiveSession(Session):
    """A Session that makes itself the default at creation (notebooks)."""

    def __init__(self, target: str = "", graph=None, config=None) -> None:
        super().__init__(target, graph, config)
        _stack.append(self)

    def close(self) -> None:
        if self in _stack:
            _stack.remove(self)
        super().close()
