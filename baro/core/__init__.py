"""Level 2: Tensor, Variable, the Function node base and the backward engine."""

from baro.core.engine import backward, gradients, unbroadcast
from baro.core.function import Function
from baro.core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from baro.core.tape import GradientTape, grad, value_and_grad
from baro.core.tensor import Tensor
from baro.core.variable import Variable

__all__ = [
    "Function",
    "GradientTape",
    "Tensor",
    "Variable",
    "backward",
    "enable_grad",
    "grad",
    "gradients",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "unbroadcast",
    "value_and_grad",
]
