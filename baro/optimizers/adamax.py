"""Adamax: Adam with the infinity norm (Kingma & Ba, 2014, section 7.1)."""

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
class Adamax(Optimizer):
    """Adamax (`keras.optimizers.Adamax`), https://arxiv.org/abs/1412.6980.

    With gradient `g`, step `t = iterations + 1`, slots `m` and `u` at 0:

        m <- beta_1 * m + (1 - beta_1) * g
        u <- max(beta_2 * u, |g|)
        w <- w - lr * m / ((1 - beta_1^t) * (u + epsilon))

    PyTorch's Adamax puts epsilon inside the max (`max(beta_2 u, |g| + eps)`),
    so the two agree only up to that epsilon.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first-moment average, in [0, 1) (default 0.9).
        beta_2: Decay of the infinity norm, in [0, 1) (default 0.999).
        epsilon: Small constant >= 0 for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "adamax").

    Raises:
        ValueError: If a beta is outside [0, 1) or `epsilon` is negative.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0, 2.0])
        >>> opt = optimizers.Adamax(learning_rate=0.5)
        >>> opt.apply([baro.constant([1.0, 6.0])], [w])
        >>> w.numpy().round(4)
        array([0.5, 1.5], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "adamax", **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.beta_1 = check_number("Adamax", "beta_1", beta_1, 0.0, 1.0,
                                   high_open=True)
        self.beta_2 = check_number("Adamax", "beta_2", beta_2, 0.0, 1.0,
                                   high_open=True)
        self.epsilon = check_number("Adamax", "epsilon", default_epsilon(epsilon),
                                    0.0)

    def build(self, var_list) -> None:
        """Creates `momentum` and `norm` slots per variable."""
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list,
                                                        ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One Adamax step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        m = self._m[i].data
        u = self._u[i].data
        s = self._scratch[i][0]
        t = int(self.iterations.data) + 1
        update_moving_average(m, gradient, self.beta_1, s)
        # u <- max(beta_2 * u, |g|)
        u *= self.beta_2
        np.maximum(u, np.abs(gradient, out=s), out=u)
        # w <- w - lr * m / ((1 - beta_1^t) * (u + epsilon))
        np.add(u, self.epsilon, out=s)
        s *= 1.0 - self.beta_1**t
        np.divide(m, s, out=s)
        w -= np.multiply(s, learning_rate, out=s)

    def _subnormal_slots(self) -> list:
        # m and the decaying max u of dead units go subnormal (subnormals.py).
        if not epsilon_hides_subnormals(self.epsilon):
            return []
        return [self._m, self._u]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config
