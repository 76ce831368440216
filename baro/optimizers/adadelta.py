"""Adadelta: step sizes from running averages of gradients and updates."""

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
class Adadelta(Optimizer):
    """Adadelta (`keras.optimizers.Adadelta`), https://arxiv.org/abs/1212.5701.

    With gradient `g` and slots `E[g^2]`, `E[dx^2]` starting at 0:

        E[g^2]  <- rho * E[g^2] + (1 - rho) * g^2
        dx       = -sqrt(E[dx^2] + epsilon) / sqrt(E[g^2] + epsilon) * g
        E[dx^2] <- rho * E[dx^2] + (1 - rho) * dx^2
        w       <- w + lr * dx

    This is PyTorch's Adadelta (`rho`, `eps`, `lr`) exactly. The paper's form
    has `lr = 1.0`; Keras keeps a learning rate (default 0.001).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        rho: Decay of both running averages, in [0, 1) (default 0.95).
        epsilon: Small constant >= 0 for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "adadelta").

    Raises:
        ValueError: If `rho` is outside [0, 1) or `epsilon` is negative.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0, 2.0])
        >>> opt = optimizers.Adadelta(learning_rate=0.5)
        >>> opt.apply([baro.constant([1.0, 6.0])], [w])
        >>> w.numpy().round(4)
        array([0.9993, 1.9993], dtype=float32)
    """

    scratch_buffers = 2

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "adadelta", **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.rho = check_number("Adadelta", "rho", rho, 0.0, 1.0, high_open=True)
        self.epsilon = check_number("Adadelta", "epsilon", default_epsilon(epsilon),
                                    0.0)

    def build(self, var_list) -> None:
        """Creates `accumulated_grad` and `accumulated_delta_var` slots."""
        if self.built:
            return
        super().build(var_list)
        # Keras 3's order (interleaved per variable), for .keras files.
        self._accumulated_grads, self._accumulated_delta_vars = \
            self.add_optimizer_variables(
                var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One Adadelta step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        grad_sq = self._accumulated_grads[i].data
        delta_sq = self._accumulated_delta_vars[i].data
        s, s2 = self._scratch[i]
        update_moving_average(grad_sq, np.square(gradient, out=s), self.rho, s)
        # -dx = sqrt(E[dx^2] + epsilon) / sqrt(E[g^2] + epsilon) * g, kept in s
        np.add(delta_sq, self.epsilon, out=s)
        np.sqrt(s, out=s)
        np.add(grad_sq, self.epsilon, out=s2)
        np.sqrt(s2, out=s2)
        s /= s2
        s *= gradient
        update_moving_average(delta_sq, np.square(s, out=s2), self.rho, s2)
        # w <- w + lr * dx
        w -= np.multiply(s, learning_rate, out=s)

    def _subnormal_slots(self) -> list:
        # Both averages sit under a square root beside epsilon (subnormals.py).
        if not epsilon_hides_subnormals(self.epsilon):
            return []
        return [self._accumulated_grads, self._accumulated_delta_vars]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rho=self.rho, epsilon=self.epsilon)
        return config
