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
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.core.variable import Variable


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
