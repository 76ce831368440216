"""One flat buffer per optimizer quantity, so a step is a handful of ufunc calls.

A model's parameters are many arrays; updating them one by one costs ~13 NumPy
calls per array per step, which dominates small models (XOR: 4 arrays, ~50
calls, more than the forward and backward passes together). `FlatState` moves
every trainable variable's data into one contiguous buffer (each `Variable.data`
becomes a view of it) and does the same for each slot list the optimizer created
with `add_optimizer_variables`. Then one `update_step` on a proxy variable whose
data is the whole buffer updates every parameter at once.

Elementwise updates give bit-identical results whether applied to the pieces or
to the whole, so the flat path is an implementation detail: per-variable rules
that are not elementwise (per-variable clipnorm, weight-decay exclusions,
constraints) still run on the views. If anything replaces a variable's `.data`
after the move (another optimizer flattening the same variables, say), the next
step notices and moves the data again.

`FlatUpdates` is the optimizer's side of it, mixed into `Optimizer`: it decides
per step whether the flat path applies (`_flat_state`), runs the update on the
proxy (`_update_flat`), gives compiled training steps a fast `apply`
(`_apply_traced`), and counts steps, zeroing subnormal slot entries every
`subnormals.FLUSH_EVERY` of them (one pass per flat buffer; see subnormals.py).
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.core.grad_mode import no_grad
from baro.core.variable import Variable
from baro.optimizers.subnormals import FLUSH_EVERY, flush_subnormals


def _proxy(buffer, name: str) -> Variable:
    """A non-trainable Variable whose data IS `buffer` (no copy)."""
    proxy = Variable(buffer[:1], trainable=False, name=name)
    proxy.data = buffer
    return proxy


class FlatState:
    """The flat buffers of one optimizer and the proxy that stands for them.

    Args:
        variables: The optimizer's trainable variables (same dtype and array
            module; `FlatState.supports` checks).
        slot_lists: The lists `add_optimizer_variables` returned, each holding
            one slot Variable per trainable variable.
        scratch_buffers: How many scratch arrays `update_step` expects.
    """

    def __init__(self, variables: list, slot_lists: list, scratch_buffers: int) -> None:
        sample = variables[0].data
        xp = get_array_module(sample)
        self.offsets = []
        total = 0
        for variable in variables:
            self.offsets.append((total, variable.data.size, variable.data.shape))
            total += variable.data.size
        self.params = self._gather(xp, variables, total, sample.dtype)
        self.views = self._rehome(variables, self.params)
        self.variables = list(variables)
        self.slots = []
        for slots in slot_lists:
            real = slots[: len(variables)]
            buffer = self._gather(xp, real, total, sample.dtype)
            self._rehome(real, buffer)
            self.slots.append((slots, buffer))
        self.grads = xp.empty(total, sample.dtype)
        self.scratch = [xp.empty(total, sample.dtype) for _ in range(scratch_buffers)]
        # A Variable standing for all parameters; its slot proxies sit at the
        # index after the real variables in every slot list.
        self.index = len(variables)
        self.proxy = _proxy(self.params, "flat")
        for slots, buffer in self.slots:
            del slots[self.index:]
            slots.append(_proxy(buffer, "flat_slot"))

    @staticmethod
    def supports(variables: list, slot_lists: list) -> bool:
        """Whether the variables can share one buffer (one dtype, one module)."""
        if len(variables) < 2:
            return False
        first = variables[0].data
        kind = (type(first), first.dtype)
        return all((type(v.data), v.data.dtype) == kind for v in variables) and all(
            len(slots) >= len(variables) for slots in slot_lists)

    @staticmethod
    def _gather(xp, variables, total: int, dtype):
        buffer = xp.empty(total, dtype)
        if variables:
            xp.concatenate([v.data.reshape(-1) for v in variables], out=buffer)
        return buffer

    def _rehome(self, variables, buffer) -> list:
        views = []
        for variable, (offset, size, shape) in zip(variables, self.offsets,
                                                   strict=True):
            view = buffer[offset:offset + size].reshape(shape)
            variable.data = view
            views.append(view)
        return views

    def intact(self) -> bool:
        """Whether every variable still lives in the buffer."""
        return all(v.data is view for v, view in zip(self.variables, self.views,
                                                     strict=True))

    def load_gradients(self, grads: list):
        """Copies the per-variable gradients into the flat gradient buffer."""
        xp = get_array_module(self.grads)
        xp.concatenate([g.reshape(-1) for g in grads], out=self.grads)
        return self.grads

    def gradient_views(self) -> list:
        """Per-variable views of the flat gradient buffer (for clipping)."""
        return [self.grads[o:o + n].reshape(shape) for o, n, shape in self.offsets]

    def release(self) -> None:
        """Drops the proxies from the slot lists (the data stays in the views)."""
        for slots, _ in self.slots:
            del slots[self.index:]


class FlatUpdates:
    """The flat-buffer hooks of `Optimizer` (a mixin; `Optimizer` provides the
    attributes used here: `_trainable_variables`, `_slot_lists`, `_scratch`,
    `_iterations`, the clipping options and `apply`)."""

    _flat: FlatState | None = None
    _flush_every = FLUSH_EVERY

    def _apply_traced(self, grads: list, variables: list) -> None:
        """`apply` for a compiled training step (baro.training.compiled).

        `grads` are arrays with the variables' shapes and dtypes, one per
        variable. When the step is a plain flat-buffer update (no clipping,
        weight decay, loss scaling or constraints) the checks `apply` makes on
        every call are skipped; the arithmetic is the same, so the result is too.
        """
        flat = self._flat
        if (flat is None or self.clipnorm is not None or self.clipvalue is not None
                or self.global_clipnorm is not None or self.weight_decay
                or self.loss_scale_factor is not None or len(variables) != len(
                    flat.variables) or not flat.intact()
                or any(a is not b or getattr(a, "constraint", None) is not None
                       for a, b in zip(variables, flat.variables, strict=True))):
            self.apply(grads, variables)
            return
        with no_grad():
            self._update_flat(flat, grads, self._current_learning_rate())
            self._count_step()

    def _update_flat(self, flat: FlatState, grads: list, learning_rate: float) -> None:
        self._update_variables([flat.load_gradients(grads)], [flat.proxy],
                               learning_rate)

    def _flat_state(self, variables: list) -> FlatState | None:
        """The FlatState when this step updates all variables and they can share
        one buffer (made on first use, remade if a variable's data moved)."""
        mine = self._trainable_variables
        if len(variables) != len(mine) or not self._flat_allowed() or any(
                a is not b for a, b in zip(variables, mine, strict=True)):
            return None
        flat = self._flat
        if flat is not None and flat.intact():
            return flat
        if flat is not None:
            flat.release()
        if not FlatState.supports(mine, self._slot_lists):
            self._flat = None
            return None
        flat = self._flat = FlatState(mine, self._slot_lists, self.scratch_buffers)
        self._trainable_variables_indices[flat.proxy] = flat.index
        self._scratch = self._scratch[:flat.index] + [flat.scratch]
        return flat

    def _flat_allowed(self) -> bool:
        # Only baro's own elementwise update rules, and only when every slot
        # came from add_optimizer_variables: a user's update_step may take a
        # per-variable norm, and its slots may not know the flat proxy.
        return self._loose_slots == 0 and \
            type(self).update_step.__module__.startswith("baro.optimizers")

    def _count_step(self) -> None:
        """`iterations += 1`, then every `_flush_every` steps the slots that
        `_subnormal_slots()` names lose their subnormal entries."""
        self._iterations.data += 1
        if int(self._iterations.data) % self._flush_every == 0:
            self._flush_subnormal_slots()

    def _flush_subnormal_slots(self) -> None:
        chosen = self._subnormal_slots()
        flat = self._flat
        if flat is not None and flat.intact():
            # One pass per flat buffer; every slot Variable is a view of one.
            for slots, buffer in flat.slots:
                if any(slots is slot_list for slot_list in chosen):
                    flush_subnormals(buffer)
            return
        count = len(self._trainable_variables)  # past it: a released flat proxy
        for slot_list in chosen:
            for slot in slot_list[:count]:
                flush_subnormals(slot.data)
