"""Lion: sign of an interpolated momentum (Chen et al., 2023)."""

from __future__ import annotations

import numpy as np

from baro.optimizers.optimizer import Optimizer, check_number, update_moving_average
from baro.saving import register_serializable


@register_serializable()
class Lion(Optimizer):
    """Lion (`keras.optimizers.Lion`), https://arxiv.org/abs/2302.06675.

    With gradient `g` and a momentum slot `m` starting at 0:

        w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m <- beta_2 * m + (1 - beta_2) * g

    Every entry moves by exactly `lr` (or 0), so Lion usually wants a learning
    rate 3-10x smaller than AdamW's, and a weight decay 3-10x larger.

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        beta_1: Interpolation between momentum and gradient for the update
            direction, in (0, 1] (default 0.9).
        beta_2: Decay of the momentum, in [0, 1] (default 0.99).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "lion").

    Raises:
        ValueError: If `beta_1` is outside (0, 1] (at 0 Lion degenerates to
            SignSGD) or `beta_2` outside [0, 1].

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0, 2.0])
        >>> opt = optimizers.Lion(learning_rate=0.5)
        >>> opt.apply([baro.constant([0.001, -6.0])], [w])
        >>> w.numpy()
        array([0.5, 2.5], dtype=float32)
    """

    scratch_buffers = 2

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "lion", **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.beta_1 = check_number("Lion", "beta_1", beta_1, 0.0, 1.0, low_open=True,
                                   hint=" Otherwise, the optimizer degenerates to "
                                   "SignSGD.")
        self.beta_2 = check_number("Lion", "beta_2", beta_2, 0.0, 1.0)

    def build(self, var_list) -> None:
        """Creates a `momentum` slot per variable."""
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One Lion step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        m = self._momentums[i].data
        s, s2 = self._scratch[i]
        # w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g), with the
        # interpolation written m + (1 - beta_1) * (g - m)
        np.subtract(gradient, m, out=s)
        s *= 1.0 - self.beta_1
        s += m
        # Not in place: NumPy's sign is ~6x slower when `out` aliases its input.
        np.sign(s, out=s2)
        w -= np.multiply(s2, learning_rate, out=s2)
        update_moving_average(m, gradient, self.beta_2, s)

    def _subnormal_slots(self) -> list:
        # None: the update is sign(m), so zeroing a subnormal m would stop a
        # weight that Lion keeps moving by lr (subnormals.py).
        return []

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2)
        return config
