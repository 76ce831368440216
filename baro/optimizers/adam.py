"""Adam: adaptive moment estimation (Kingma & Ba, 2014)."""

from __future__ import annotations

import math

import numpy as np

from baro.optimizers.chunks import for_chunks
from baro.optimizers.optimizer import (
    Optimizer,
    check_number,
    default_epsilon,
    update_moving_average,
)
from baro.optimizers.subnormals import epsilon_hides_subnormals
from baro.saving import register_serializable


@register_serializable()
class Adam(Optimizer):
    """Adam (`keras.optimizers.Adam`), https://arxiv.org/abs/1412.6980.

    With gradient `g`, step `t = iterations + 1`, slots `m`, `v` (and `v_hat`
    for AMSGrad) starting at 0:

        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g^2
        v_hat <- max(v_hat, v);  v <- v_hat          (amsgrad only)
        w <- w - alpha * m / (sqrt(v) + epsilon)

    `epsilon` is the paper's "epsilon hat": it is added to `sqrt(v)` before the
    bias correction is folded into `alpha`. PyTorch's Adam adds its `eps` to
    `sqrt(v / (1 - beta_2^t))` instead, so the two agree only up to that epsilon
    placement (exactly when `epsilon=0`).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Decay of the first-moment average, in [0, 1) (default 0.9).
        beta_2: Decay of the second-moment average, in [0, 1) (default 0.999).
        epsilon: Small constant >= 0 for numerical stability (default 1e-7).
        amsgrad: Use the AMSGrad variant (Reddi et al., 2018) (default False).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "adam").

    Raises:
        ValueError: If a beta is outside [0, 1) or `epsilon` is negative.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0, 2.0])
        >>> opt = optimizers.Adam(learning_rate=0.1)
        >>> opt.apply([baro.constant([0.5, -3.0])], [w])
        >>> w.numpy().round(4)   # the first step moves each weight by ~lr
        array([0.9, 2.1], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "adam", **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(owner, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(owner, "epsilon", default_epsilon(epsilon), 0.0)
        self.amsgrad = bool(amsgrad)

    def build(self, var_list) -> None:
        """Creates `momentum` and `velocity` slots (and `velocity_hat`)."""
        if self.built:
            return
        super().build(var_list)
        # Interleaved per variable (m0, v0, m1, ...), Keras 3's order, so
        # optimizer state lines up in .keras files.
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list,
                                                               "velocity_hat")

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One Adam step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        m = self._momentums[i].data
        v = self._velocities[i].data
        s = self._scratch[i][0]
        t = int(self.iterations.data) + 1
        alpha = learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        if self.amsgrad:
            hat = self._velocity_hats[i].data
            for_chunks(self._amsgrad_chunk, (w, gradient, m, v, s, hat), alpha)
        else:
            for_chunks(self._adam_chunk, (w, gradient, m, v, s), alpha)

    def _adam_chunk(self, w, gradient, m, v, s, alpha: float) -> None:
        update_moving_average(m, gradient, self.beta_1, s)
        update_moving_average(v, np.square(gradient, out=s), self.beta_2, s)
        self._descend(w, m, v, s, alpha)

    def _amsgrad_chunk(self, w, gradient, m, v, s, hat, alpha: float) -> None:
        update_moving_average(m, gradient, self.beta_1, s)
        update_moving_average(v, np.square(gradient, out=s), self.beta_2, s)
        self._descend(w, m, np.maximum(hat, v, out=hat), s, alpha)

    def _descend(self, w, m, v, s, alpha: float) -> None:
        # w <- w - alpha * m / (sqrt(v) + epsilon)
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)
        w -= np.multiply(s, alpha, out=s)

    def _subnormal_slots(self) -> list:
        # Moments of dead units decay into subnormals (slow arithmetic); zeroing
        # them is invisible when epsilon dwarfs sqrt(tiny) (subnormals.py).
        if not epsilon_hides_subnormals(self.epsilon):
            return []
        hats = [self._velocity_hats] if self.amsgrad else []
        return [self._momentums, self._velocities, *hats]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
                      amsgrad=self.amsgrad)
        return config
