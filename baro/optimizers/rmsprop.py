"""RMSprop: divide the gradient by a running root mean square (Hinton, 2012)."""

from __future__ import annotations

import numpy as np

from baro.optimizers.optimizer import (
    Optimizer,
    check_number,
    default_epsilon,
    update_moving_average,
)
from baro.optimizers.subnormals import epsilon_hides_subnormals
from baro.saving import register_serializable


@register_serializable()
class RMSprop(Optimizer):
    """RMSprop (`keras.optimizers.RMSprop`), optionally centered, with momentum.

    With gradient `g` and slots `v` (velocity), `a` (average gradient, when
    centered) and `b` (momentum buffer, when momentum > 0) starting at 0:

        v <- rho * v + (1 - rho) * g^2
        a <- rho * a + (1 - rho) * g                  (centered only)
        d = v - a^2 + epsilon   (centered)   or   d = v + epsilon
        increment = lr * g / sqrt(d)
        b <- momentum * b + increment;  w <- w - b    (momentum > 0)
        w <- w - increment                            (otherwise)

    PyTorch's RMSprop (`alpha` = rho) adds `eps` outside the square root,
    `lr * g / (sqrt(v) + eps)`, and keeps `lr` out of its momentum buffer, so the
    two agree up to epsilon for a constant learning rate.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        rho: Discount of the old squared gradients, in [0, 1] (default 0.9).
        momentum: Momentum in [0, 1] (default 0.0, none).
        epsilon: Small constant > 0 for numerical stability (default 1e-7).
        centered: Normalize by the estimated variance of the gradient instead
            of its uncentered second moment (default False).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "rmsprop").

    Raises:
        ValueError: If `rho` or `momentum` is outside [0, 1] or `epsilon <= 0`.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([10.0])
        >>> opt = optimizers.RMSprop(learning_rate=0.1)
        >>> opt.apply([baro.constant([10.0])], [w])   # loss = w^2 / 2: g = w
        >>> w.numpy()
        array([9.683772], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "rmsprop", **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.rho = check_number("RMSprop", "rho", rho, 0.0, 1.0)
        self.momentum = check_number("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = check_number("RMSprop", "epsilon", default_epsilon(epsilon),
                                    0.0, low_open=True)
        self.centered = bool(centered)

    def build(self, var_list) -> None:
        """Creates `velocity` slots, plus `momentum` / `average_gradient`."""
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(
                var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One RMSprop step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        v = self._velocities[i].data
        s = self._scratch[i][0]
        update_moving_average(v, np.square(gradient, out=s), self.rho, s)
        # d = v - a^2 + epsilon (centered) or v + epsilon
        if self.centered:
            a = self._average_gradients[i].data
            update_moving_average(a, gradient, self.rho, s)
            np.square(a, out=s)
            np.subtract(v, s, out=s)
            s += self.epsilon
        else:
            np.add(v, self.epsilon, out=s)
        # increment = lr * g / sqrt(d)
        np.sqrt(s, out=s)
        np.divide(gradient, s, out=s)
        s *= learning_rate
        if self.momentum > 0:
            # b <- momentum * b + increment;  w <- w - b
            b = self._momentums[i].data
            b *= self.momentum
            b += s
            w -= b
        else:
            w -= s

    def _subnormal_slots(self) -> list:
        # The momentum is added to w and the centered mean only used squared:
        # always safe to zero; v only when epsilon hides it (subnormals.py).
        chosen = [self._momentums, self._average_gradients]
        if epsilon_hides_subnormals(self.epsilon):
            chosen.append(self._velocities)
        return [slots for slots in chosen if slots]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon,
                      centered=self.centered)
        return config
