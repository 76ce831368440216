"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import numpy as np

from baro.optimizers.optimizer import Optimizer, check_number
from baro.saving import register_serializable


@register_serializable()
class SGD(Optimizer):
    """Gradient descent with momentum (`keras.optimizers.SGD`).

    With gradient `g` and learning rate `lr`; when `momentum == 0`:

        w <- w - lr * g

    otherwise, with a velocity slot `m` starting at 0:

        m <- momentum * m - lr * g
        w <- w + m                          (nesterov=False)
        w <- w + momentum * m - lr * g      (nesterov=True)

    This is PyTorch's `SGD(momentum, nesterov)` with the learning rate folded
    into the velocity, so both give the same weights for a constant `lr`.

    Args:
        learning_rate: Float, schedule or callable (default 0.01).
        momentum: Float in [0, 1] (default 0.0, plain gradient descent).
        nesterov: Use Nesterov momentum (default False).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "SGD").

    Raises:
        ValueError: If `momentum` is outside [0, 1].

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0])
        >>> opt = optimizers.SGD(learning_rate=0.5, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.apply([baro.constant([1.0])], [w])
        >>> w.numpy()   # 1 - 0.5, then - (0.9 * 0.5 + 0.5)
        array([-0.45], dtype=float32)
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str = "SGD",
                 **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.momentum = check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def build(self, var_list) -> None:
        """Creates a `momentum` slot per variable, only when momentum != 0."""
        if self.built:
            return
        super().build(var_list)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One SGD step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        s = self._scratch[i][0]
        if self.momentum == 0:
            w -= np.multiply(gradient, learning_rate, out=s)
            return
        m = self.momentums[i].data
        # m <- momentum * m - lr * g   (s keeps lr * g for the Nesterov line)
        np.multiply(gradient, learning_rate, out=s)
        m *= self.momentum
        m -= s
        if self.nesterov:
            # w <- w + momentum * m - lr * g
            w -= s
            w += np.multiply(m, self.momentum, out=s)
        else:
            # w <- w + m
            w += m

    def _subnormal_slots(self) -> list:
        # m <- momentum * m decays for dead units and is added to w: zeroing a
        # subnormal m moves no weight (subnormals.py).
        return [self.momentums] if self.momentums else []

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(momentum=self.momentum, nesterov=self.nesterov)
        return config
