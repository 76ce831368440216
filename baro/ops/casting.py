"""Cast and NoGrad: the two Function kinds that keep every computation on the graph.

Everything computed from a tensor goes through a `Function`, even integer results
and piecewise-constant maps (comparisons, argmax, floor): a traced program is then
exactly its list of Functions, and replaying it (TF1 `Session.run`, compiled steps)
recomputes every value from the inputs instead of freezing one.
"""

from __future__ import annotations

from baro.core.function import Function
from baro.core.tensor import Tensor


class Cast(Function):
    """y = x as `dtype`;  dx = g cast back (by the engine) for float -> float."""

    def __init__(self, dtype) -> None:
        self.dtype = dtype
        # Casting to an integer or bool loses the gradient (it is zero almost
        # everywhere), so such casts are not linked into the autodiff graph.
        self.differentiable = dtype.kind == "f"

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, g):
        return g


class NoGrad(Function):
    """y = fn(*xs) for maps without a useful gradient (comparisons, argmax, floor).

    The result is never linked into the autodiff graph; `name` shows in errors.
    """

    differentiable = False

    def __init__(self, fn, name: str) -> None:
        self.fn = fn
        self.op_name = name

    @property
    def name(self) -> str:
        return self.op_name

    def forward(self, *xs):
        return self.fn(*xs)

    def backward(self, *grads):
        return (None,) * len(self.inputs)


def cast_tensor(t: Tensor, dtype) -> Tensor:
    """`t` converted to `dtype` through a Cast node (no-op when already there)."""
    if t.data.dtype == dtype:
        return t
    return Cast(dtype).apply(t)
