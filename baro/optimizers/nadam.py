"""Nadam: Adam with Nesterov momentum (Dozat, 2015)."""

from __future__ import annotations

import numpy as np

from baro.backend.config import floatx
from baro.optimizers.optimizer import (
    Optimizer,
    check_number,
    default_epsilon,
    update_moving_average,
)
from baro.optimizers.subnormals import epsilon_hides_subnormals
from baro.saving import register_serializable


@register_serializable()
class Nadam(Optimizer):
    """Nadam (`keras.optimizers.Nadam`), http://cs229.stanford.edu/proj2015/054_report.pdf.

    With gradient `g`, step `t = iterations + 1`, momentum schedule
    `u_t = beta_1 * (1 - 0.5 * 0.96^t)` and its running product
    `P_t = u_1 * ... * u_t` (a scalar slot, advanced once per step), and slots
    `m`, `v` at 0:

        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g^2
        m_hat = u_{t+1} * m / (1 - P_t * u_{t+1}) + (1 - u_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2^t)
        w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)

    This is PyTorch's `NAdam` with `momentum_decay=1.0`: PyTorch's default
    (0.004) uses `0.96^(0.004 t)` in `u_t` where Keras uses `0.96^t`.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first-moment average, in [0, 1) (default 0.9).
        beta_2: Decay of the second-moment average, in [0, 1) (default 0.999).
        epsilon: Small constant >= 0 for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "nadam").

    Raises:
        ValueError: If a beta is outside [0, 1) or `epsilon` is negative.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0, 2.0])
        >>> opt = optimizers.Nadam(learning_rate=0.5)
        >>> opt.apply([baro.constant([1.0, 6.0])], [w])
        >>> w.numpy().round(4)
        array([0.4686, 1.4686], dtype=float32)
    """

    scratch_buffers = 2

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "nadam", **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.beta_1 = check_number("Nadam", "beta_1", beta_1, 0.0, 1.0,
                                   high_open=True)
        self.beta_2 = check_number("Nadam", "beta_2", beta_2, 0.0, 1.0,
                                   high_open=True)
        self.epsilon = check_number("Nadam", "epsilon", default_epsilon(epsilon),
                                    0.0)

    def build(self, var_list) -> None:
        """Creates `momentum` and `velocity` slots and the scalar `u_product`."""
        if self.built:
            return
        var_list = list(var_list)
        dtype = var_list[0].dtype if var_list else floatx()
        super().build(var_list)
        # Keras 3's order (interleaved per variable), for .keras files.
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")

    def _momentum_schedule(self, step: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96**step)

    def _update_variables(self, grads, variables, learning_rate: float) -> None:
        # P_t advances once per step, before any variable uses it.
        self._u_product.data *= self._momentum_schedule(int(self.iterations.data) + 1)
        super()._update_variables(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One Nadam step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        m = self._momentums[i].data
        v = self._velocities[i].data
        s, s2 = self._scratch[i]
        t = int(self.iterations.data) + 1
        u_t = self._momentum_schedule(t)
        u_next = self._momentum_schedule(t + 1)
        product = float(self._u_product.data)
        update_moving_average(m, gradient, self.beta_1, s)
        update_moving_average(v, np.square(gradient, out=s), self.beta_2, s)
        # m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)
        np.multiply(m, u_next / (1.0 - product * u_next), out=s)
        s += np.multiply(gradient, (1.0 - u_t) / (1.0 - product), out=s2)
        # v_hat = v / (1 - beta_2^t)
        np.divide(v, 1.0 - self.beta_2**t, out=s2)
        # w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)
        np.sqrt(s2, out=s2)
        s2 += self.epsilon
        s /= s2
        w -= np.multiply(s, learning_rate, out=s)

    def _subnormal_slots(self) -> list:
        # As Adam's moments (subnormals.py); u_product is a scalar, left alone.
        if not epsilon_hides_subnormals(self.epsilon):
            return []
        return [self._momentums, self._velocities]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config
