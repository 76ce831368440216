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
        self.steps: list[tuple] = []
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
        self._seeds: dict[int, object] = {}
        self._slot_of = slot_of
        self.n_slots = len(shapes)

    def slot(self, tensor: Tensor) -> int:
        """The slot number of a tensor seen during the trace."""
        return self._slot_of[id(tensor)]

    def run(self, feeds) -> list:
        """Recomputes every slot from new input arrays; returns the slot list."""
        slots = [None] * self.n_slots
        for slot, value in self.constants:
            slots[slot] = value
        for slot, value in zip(self.input_slots, feeds, strict=True):
            slots[slot] = value
        for slot, variable in self.variables:
            slots[slot] = variable.data
        for function, ins, outs in self.steps:
            result = function.forward(*[slots[i] for i in ins])
            if type(outs) is tuple:
                for slot, value in zip(outs, result, strict=True):
                    slots[slot] = value
            else:
                slots[outs] = result
        return slots

    def outputs(self, slots) -> list:
        """The requested outputs from a `run` result."""
        return [slots[s] for s in self.output_slots]

    def gradients(self, slots, target: int, sources: list[int], seed=None) -> list:
        """d sum(target) / d source for each source slot, after `run(slots)`.

        Returns:
            One array per source (zeros where the target does not depend on it).
        """
        program = self._backward_program(target, tuple(sources))
        if seed is None:
            # The seed is read, never written, by backward rules: reuse it.
            value = slots[target]
            seed = self._seeds.get(target)
            if seed is None or seed.shape != value.shape or seed.dtype != value.dtype:
                seed = self._seeds[target] = get_array_module(value).ones_like(value)
        grads = [None] * self.n_slots
        grads[target] = seed
        shapes = self.shapes
        for function, outs, multi, ins in program:
            if multi:
                grads_out = [grads[o] for o in outs]
                if all(g is None for g in grads_out):
                    continue
                grads_in = function.backward(*grads_out)
            else:
                g = grads[outs]
                if g is None:
                    continue
                grads_in = function.backward(g)
            if type(grads_in) is not tuple:
                grads_in = (grads_in,)
            for slot, gx in zip(ins, grads_in, strict=True):
                if gx is None or slot < 0:
                    continue
                shape, dtype = shapes[slot]
                if gx.shape != shape:
                    gx = unbroadcast(gx, shape)
                if gx.dtype != dtype:
                    gx = gx.astype(dtype)
                old = grads[slot]
                grads[slot] = gx if old is None else old + gx
        result = []
        for s in sources:
            g = grads[s]
            if g is None:
                shape, dtype = shapes[s]
                g = get_array_module(slots[s]).zeros(shape, dtype)
            result.append(g)
        return result

    def _backward_program(self, target: int, sources: tuple) -> list:
        """The steps between the sources and the target, last first, with input
        slots that lead nowhere replaced by -1 (their gradients are dropped)."""
        key = (target, sources)
        cache = self.__dict__.setdefault("_programs", {})
        if key in cache:
            return cache[key]
        leads_to = set(sources)
        forward = []
        for function, ins, outs in self.steps:
            hit = function.differentiable and any(i in leads_to for i in ins)
            if not hit:
                continue
            if not function.inputs:
                raise ValueError(
                    f"Plan: {function.name} was traced without its inputs "
                    "requiring gradients; mark the sources (requires_grad=True) "
                    "before tracing.")
            leads_to.update(outs if type(outs) is tuple else (outs,))
            forward.append((function, ins, outs))
        program = [(function, outs, type(outs) is tuple,
                    tuple(i if i in leads_to else -1 for i in ins))
                   for function, ins, outs in reversed(forward)]
        cache[key] = program
        return program
