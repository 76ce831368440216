"""Plan: a traced computation replayed as a flat list of steps on raw arrays.

A trace (`baro.core.tracing.trace`) records every `Function` a computation
applied. `Plan` numbers the tensors it touched ("slots"), keeps the Function
objects, and on `run` calls each `forward` directly on arrays: no Tensor objects,
no graph links, no wrapper logic, so a small step costs about a microsecond per op.
`gradients` runs the same Functions' `backward` in reverse, with the engine's
unbroadcast and dtype rules, for the slots asked for.

A plan is valid for the input shapes and dtypes it was traced with (shape-
dependent choices were made then); callers retrace for a new signature.
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.core.engine import unbroadcast
from baro.core.tensor import Tensor
from baro.core.trace_compare import configuration, first_difference


class Plan:
    """A replayable record of ops.

    Args:
        record: `(function, inputs, outputs)` triples from `tracing.trace()`.
        inputs: Tensors whose values `run` receives (e.g. fed placeholders).
        outputs: Tensors whose values `run` returns.
        variables: Tensors read fresh at every run (their `.data`), e.g.
            Variables updated in place between runs; gradients can be taken
            with respect to them or to inputs.

    Raises:
        ValueError: If an output was neither computed nor given.
    """

    def __init__(self, record, inputs, outputs, variables=()) -> None:
        slot_of: dict[int, int] = {}
        shapes: list = []
        self.constants: list[tuple[int, object]] = []

        def new_slot(t: Tensor) -> int:
            slot_of[id(t)] = len(shapes)
            shapes.append((t.data.shape, t.data.dtype))
            return len(shapes) - 1

        self.input_slots = [new_slot(t) for t in inputs]
        self.variables = [(new_slot(v), v) for v in variables]
        # Inputs no op recorded for backprop: gradients to them cannot be had.
        self._untracked = {slot_of[id(t)] for t in [*inputs, *variables]
                           if not t.requires_grad}
        self.steps: list[tuple] = []
        # Each step's settings (see `trace_compare.configuration`), for same_as.
        snapshots = getattr(record, "configs", {})
        self.configs = [configuration(f, snapshots.get(id(f))) for f, _, _ in record]
        for function, ins, outs in record:
            in_slots = []
            for t in ins:
                slot = slot_of.get(id(t))
                if slot is None:  # never computed here: a constant of the trace
                    slot = new_slot(t)
                    self.constants.append((slot, t.data))
                in_slots.append(slot)
            if isinstance(outs, tuple):
                out_slots = tuple(new_slot(t) for t in outs)
            else:
                out_slots = new_slot(outs)
            self.steps.append((function, tuple(in_slots), out_slots))
        self.output_slots = []
        for t in outputs:
            if id(t) not in slot_of:
                slot = new_slot(t)
                self.constants.append((slot, t.data))
            self.output_slots.append(slot_of[id(t)])
        self.shapes = shapes
        # When ops' `saved` arrays are dropped, so that a cached plan keeps no
        # activations alive between runs: None (kept: gradients may be asked
        # for several times per run), "forward" (plans only run forward: as
        # soon as each op ran), "backward" (plans whose `gradients` is called
        # once per run: at the end of it). Set before the first run.
        self.release = None
        self._seeds: dict[int, object] = {}
        self._slot_of = slot_of
        self.n_slots = len(shapes)

    def slot(self, tensor: Tensor) -> int:
        """The slot number of a tensor seen during the trace."""
        return self._slot_of[id(tensor)]

    def run(self, feeds) -> list:
        """Recomputes every slot from new input arrays; returns the slot list."""
        forward = self.__dict__.get("_forward")
        if forward is None:
            forward = self._forward = _compile_forward(self)
        return forward(feeds)

    def outputs(self, slots) -> list:
        """The requested outputs from a `run` result."""
        return [slots[s] for s in self.output_slots]

    def gradients(self, slots, target: int, sources: list[int], seed=None) -> list:
        """d sum(target) / d source for each source slot, after `run(slots)`.

        Returns:
            One array per source (zeros where the target does not depend on it).
        """
        key = (target, tuple(sources))
        if seed is None:
            # The seed is read, never written, by backward rules: reuse it.
            value = slots[target]
            seed = self._seeds.get(target)
            if seed is None or seed.shape != value.shape or seed.dtype != value.dtype:
                seed = self._seeds[target] = get_array_module(value).ones_like(value)
        backward = self.__dict__.setdefault("_backwards", {}).get(key)
        if backward is None:
            # The first call runs the program step by step and watches what each
            # rule returns (shapes, dtypes, None); the code generated from that
            # serves every later call, with no checks left in it.
            program = self._backward_program(target, tuple(sources))
            result, seen = _probe_backward(self, target, program, sources, slots,
                                           seed)
            self._backwards[key] = _compile_backward(self, target, program,
                                                     tuple(sources), seen)
            return result
        return backward(slots, seed)

    def forget_saved(self) -> None:
        """Drops every op's `saved` arrays: a run recomputes them, and a cached
        plan then keeps no activations alive (see `release`)."""
        for function, _, _ in self.steps:
            function.saved = None

    def runner(self):
        """`run` itself: the generated forward function (feeds -> slots)."""
        forward = self.__dict__.get("_forward")
        if forward is None:
            forward = self._forward = _compile_forward(self)
        return forward

    def gradient_function(self, target: int, sources: list[int]):
        """`gradients(slots, target, sources)` as a callable of the slots alone,
        once `gradients` has run for them (None before: the first call probes).
        For callers that replay one plan many times (compiled steps)."""
        backward = self.__dict__.get("_backwards", {}).get((target, tuple(sources)))
        seed = self._seeds.get(target)
        if backward is None or seed is None:
            return None
        return lambda slots: backward(slots, seed)

    def same_as(self, other: Plan) -> bool:
        """Whether `other`, traced from the same code on other inputs, records
        the same ops on the same slots, with the same settings and constants.

        A computation that reads an input's values in Python (to pick a branch,
        to build an index array or a mask outside any op, to compute a float an
        op keeps) leaves those values in the trace: as constants, or as the
        settings of a Function. A second trace on different inputs then differs
        here, which is how callers find out that a plan cannot be replayed.
        `difference` says what differs.
        """
        return first_difference(self, other) is None

    def difference(self, other: Plan) -> str | None:
        """What makes `other` not `same_as` this plan, in words (None if it is)."""
        return first_difference(self, other)

    def _backward_program(self, target: int, sources: tuple) -> list:
        """The steps between the sources and the target, last first, with input
        slots that lead nowhere replaced by -1 (their gradients are dropped)."""
        key = (target, sources)
        cache = self.__dict__.setdefault("_programs", {})
        if key in cache:
            return cache[key]
        untracked = [s for s in sources if s in self._untracked]
        if untracked:
            raise ValueError(
                f"Plan: slot {untracked[0]} was traced without requiring "
                "gradients; mark the sources (requires_grad=True) before tracing.")
        leads_to = set(sources)
        forward = []
        for function, ins, outs in self.steps:
            # An op traced without recording its inputs ran under no_grad (or
            # on values that needed no gradient): eager backprop skips it too.
            hit = function.differentiable and function.inputs and \
                any(i in leads_to for i in ins)
            if not hit:
                continue
            leads_to.update(outs if type(outs) is tuple else (outs,))
            forward.append((function, ins, outs))
        program = [(function, outs, type(outs) is tuple,
                    tuple(i if i in leads_to else -1 for i in ins))
                   for function, ins, outs in reversed(forward)]
        cache[key] = program
        return program


# -- code generation ------------------------------------------------------------------
# A plan runs as straight-line Python written for it once: each step becomes one
# call on local variables (`s7 = f3(s2, s5)`), with no loop, list building or
# type tests in between. This is what makes a replayed step cost little more
# than the NumPy calls themselves. Only names of our own slots and functions
# appear in the generated source; nothing from outside the process does.

def _compile_forward(plan: Plan):
    env = {}
    lines = ["def forward(feeds):"]
    if plan.input_slots:
        names = ", ".join(f"s{i}" for i in plan.input_slots)
        lines.append(f"    {names}, = feeds")
    for slot, value in plan.constants:
        env[f"c{slot}"] = value
        lines.append(f"    s{slot} = c{slot}")
    for slot, variable in plan.variables:
        env[f"v{slot}"] = variable
        lines.append(f"    s{slot} = v{slot}.data")
    for k, (function, ins, outs) in enumerate(plan.steps):
        env[f"f{k}"] = function.forward
        args = ", ".join(f"s{i}" for i in ins)
        if type(outs) is tuple:
            targets = ", ".join(f"s{o}" for o in outs)
            lines.append(f"    {targets}, = f{k}({args})")
        else:
            lines.append(f"    s{outs} = f{k}({args})")
        if plan.release == "forward":
            env[f"o{k}"] = function
            lines.append(f"    o{k}.saved = None")
        elif function.inputs and not type(function).__module__.startswith("baro."):
            # A user's Function may read its inputs' values in backward (baro's
            # own rules keep what they need in `saved`): hand it this run's.
            env[f"o{k}"], env["fresh_inputs"] = function, _fresh_inputs
            lines.append(f"    o{k}.inputs = fresh_inputs(o{k}.inputs, ({args},))")
    known = _assigned_slots(plan)
    items = ", ".join(f"s{i}" if i in known else "None" for i in range(plan.n_slots))
    lines.append(f"    return [{items}]")
    return _build("\n".join(lines), env, "forward")


def _fresh_inputs(old: tuple, arrays: tuple) -> tuple:
    """Tensors of this run's input arrays, flagged like the traced ones."""
    fresh = []
    for tensor, array in zip(old, arrays, strict=True):
        wrapped = Tensor._wrap(array)
        wrapped.requires_grad = getattr(tensor, "requires_grad", False)
        fresh.append(wrapped)
    return tuple(fresh)


def _assigned_slots(plan: Plan) -> set:
    known = set(plan.input_slots) | {slot for slot, _ in plan.constants}
    known |= {slot for slot, _ in plan.variables}
    for _, _, outs in plan.steps:
        known.update(outs if type(outs) is tuple else (outs,))
    return known


def _probe_backward(plan: Plan, target: int, program: list, sources, slots, seed):
    """Runs `program` as the engine would, recording for each step whether it
    ran, whether its rule returned a tuple, and each input gradient's (shape,
    dtype) before unbroadcasting (None when the rule gave no gradient)."""
    grads = {target: seed}
    seen = {}
    for k, (function, outs, multi, ins) in enumerate(program):
        if multi:
            outs_g = [grads.get(o) for o in outs]
            if all(g is None for g in outs_g):
                continue
            result = function.backward(*outs_g)
        else:
            g = grads.get(outs)
            if g is None:
                continue
            result = function.backward(g)
        is_tuple = type(result) is tuple
        result = result if is_tuple else (result,)
        got = []
        for slot, x in zip(ins, result, strict=True):
            if x is None or slot < 0:
                got.append(None)
                continue
            got.append((x.shape, x.dtype))
            shape, dtype = plan.shapes[slot]
            if x.shape != shape:
                x = unbroadcast(x, shape)
            if x.dtype != dtype:
                x = x.astype(dtype)
            old = grads.get(slot)
            grads[slot] = x if old is None else old + x
        seen[k] = (is_tuple, got)
    result = []
    for s in sources:
        g = grads.get(s)
        if g is None:
            shape, dtype = plan.shapes[s]
            g = _zeros_for(slots[s], shape, dtype)
        result.append(g)
    return result, seen


def _unbroadcast_lines(got_shape: tuple, shape: tuple) -> list[str]:
    """`engine.unbroadcast(x, shape)` for a known incoming shape, as code."""
    lines = []
    extra = len(got_shape) - len(shape)
    if extra > 0:
        lines.append(f"x = x.sum(axis={tuple(range(extra))!r})")
        got_shape = got_shape[extra:]
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and got_shape[i] != 1)
    if axes:
        lines.append(f"x = x.sum(axis={axes!r}, keepdims=True)")
        got_shape = tuple(1 if i in axes else n for i, n in enumerate(got_shape))
    if got_shape != shape:
        lines.append(f"x = x.reshape({shape!r})")
    return lines


def _compile_backward(plan: Plan, target: int, program: list, sources: tuple,
                      seen: dict):
    """Straight-line backward code for what `_probe_backward` saw: only the steps
    that ran, only the gradients that came back, reduced and cast exactly as the
    engine does (the shapes and dtypes are fixed for a plan)."""
    env = {"zeros_for": _zeros_for}
    reached = {target}
    lines = ["def backward(slots, seed):", f"    g{target} = seed"]
    for k, (function, _outs, _multi, ins) in enumerate(program):
        if k not in seen:
            continue  # no gradient reached this step
        outs_t = _outs if _multi else (_outs,)
        is_tuple, got = seen[k]
        env[f"b{k}"] = function.backward
        if _multi:
            for o in outs_t:
                if o not in reached:
                    lines.append(f"    g{o} = None")
                    reached.add(o)
            call = f"b{k}({', '.join(f'g{o}' for o in outs_t)})"
        else:
            call = f"b{k}(g{_outs})"
        lines.append(f"    r = {call}")
        for j, (slot, info) in enumerate(zip(ins, got, strict=True)):
            if info is None:
                continue
            got_shape, got_dtype = info
            shape, dtype = plan.shapes[slot]
            lines.append(f"    x = r[{j}]" if is_tuple else "    x = r")
            if got_shape != shape:
                lines.extend("    " + line for line in _unbroadcast_lines(got_shape,
                                                                          shape))
            if got_dtype != dtype:
                env[f"dt{slot}"] = dtype
                lines.append(f"    x = x.astype(dt{slot})")
            if slot in reached:
                lines.append(f"    g{slot} = g{slot} + x")
            else:
                lines.append(f"    g{slot} = x")
                reached.add(slot)
    results = []
    for s in sources:
        if s in reached:
            results.append(f"g{s}")
        else:
            env[f"sh{s}"], env[f"dt{s}"] = plan.shapes[s]
            results.append(f"zeros_for(slots[{s}], sh{s}, dt{s})")
    if plan.release == "backward":
        for k, (function, _, _) in enumerate(plan.steps):
            env[f"o{k}"] = function
            lines.append(f"    o{k}.saved = None")
    lines.append(f"    return [{', '.join(results)}]")
    return _build("\n".join(lines), env, "backward")


def _zeros_for(sample, shape, dtype):
    return get_array_module(sample).zeros(shape, dtype)


def _build(source: str, env: dict, name: str):
    namespace = dict(env)
    exec(compile(source, f"<baro plan {name}>", "exec"), namespace)  # noqa: S102
    function = namespace[name]
    function.source = source  # for debugging: print(plan._forward.source)
    return function
