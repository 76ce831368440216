"""Function: one differentiable operation, its forward and backward side by side."""

from __future__ import annotations

import itertools

from baro.core import grad_mode, tracing
from baro.core.tensor import Tensor

# Numbers recorded nodes in creation order (see `Function.sequence`).
_next_sequence = itertools.count().__next__


class Function:
    """Base class of every differentiable operation (a node of the graph).

    A subclass writes two methods on raw arrays:

    - `forward(*arrays)` returns one array (or a tuple for several outputs) and keeps
      in `self.saved` exactly the arrays backward will need;
    - `backward(grad_out)` returns one gradient per input, in the broadcast shape of
      the output, or None for inputs without a gradient. The engine sums gradients
      back to each input's shape, casts them to its dtype, and accumulates them.

    `apply(*tensors)` runs forward and, when any input requires a gradient and
    recording is on, links the output tensors to this node. After backward the
    engine drops `saved` and `inputs`, so intermediate buffers are freed.

    Attributes:
        inputs: The input tensors (set only when the node is recorded).
        saved: Arrays kept for backward.
        generation: 1 + the largest generation among the inputs; backward visits
            nodes from the highest generation down, so each node runs after all
            of its consumers.
        sequence: When the node was recorded (increasing); among nodes of one
            generation backward visits the latest first. A fixed order makes
            gradients summed at a fan-out (x feeding q, k and v) reproducible,
            and the same as a replayed plan's (reverse trace order).
    """

    inputs: tuple = ()
    saved: tuple | None = None
    generation: int = 0
    sequence: int = 0
    n_outputs: int = 1
    # False for ops whose output carries no gradient (comparisons, argmax): they
    # run and are traced like any op, but are never linked into the graph.
    differentiable: bool = True
    # Gradients arriving for this node's outputs while backward runs.
    grads: list | None = None

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__} has no forward.")

    def backward(self, grad_out):
        raise NotImplementedError(f"{type(self).__name__} has no backward.")

    @property
    def name(self) -> str:
        """The op's name in error messages (the class name, lowercase)."""
        return type(self).__name__.lower()

    def apply(self, *inputs: Tensor):
        """Runs forward on the inputs' data and records the node when needed.

        Returns:
            A Tensor, or a tuple of Tensors when forward returns a tuple.
        """
        active = tracing.active
        if active is not None:
            # The settings the wrapper gave this op, before forward adds its
            # per-call state: a second trace's must match (`Plan.same_as`).
            active.configs[id(self)] = self.__dict__.copy()
        try:
            out = self.forward(*[x.data for x in inputs])
        except FloatingPointError as err:
            raise ValueError(self._describe(inputs, err, domain=True)) from None
        except (ValueError, TypeError) as err:
            kind = TypeError if isinstance(err, TypeError) else ValueError
            raise kind(self._describe(inputs, err)) from err
        record = False
        if grad_mode.mode.enabled and self.differentiable:
            for x in inputs:
                if x.requires_grad:
                    record = True
                    break
        if not record:
            if type(out) is tuple:
                result = tuple(Tensor._wrap(y) for y in out)
            else:
                result = Tensor._wrap(out)
        else:
            self.inputs = inputs
            generation = 0
            for x in inputs:
                creator = x.creator
                if creator is not None and creator.generation > generation:
                    generation = creator.generation
            self.generation = generation + 1
            self.sequence = _next_sequence()
            if type(out) is tuple:
                self.n_outputs = len(out)
                result = tuple(Tensor._wrap(y, self, i) for i, y in enumerate(out))
            else:
                result = Tensor._wrap(out, self)
        if active is not None:
            active.append((self, inputs, result))
        return result

    def _describe(self, inputs, err, domain: bool = False) -> str:
        shapes = ", ".join(
            f"{tuple(x.data.shape)} {x.data.dtype}" for x in inputs
        )
        if domain:
            return (
                f"{self.name}: the input is outside the op's domain and would "
                f"produce NaN ({err}). Received inputs: {shapes}. "
                f"{getattr(self, 'domain_hint', '')}".rstrip()
            )
        hint = getattr(self, "hint", "")
        message = str(err).rstrip(".")
        return f"{self.name}: {message}. Received inputs: {shapes}. {hint}".rstrip()
