"""Adagrad: per-parameter rates from accumulated squared gradients."""

from __future__ import annotations

import numpy as np

from baro.optimizers.optimizer import (
    Optimizer,
    check_number,
    default_epsilon,
)
from baro.saving import register_serializable


@register_serializable()
class Adagrad(Optimizer):
    """Adagrad (`keras.optimizers.Adagrad`), Duchi et al., 2011.

    With gradient `g` and an accumulator `a` starting at
    `initial_accumulator_value`:

        a <- a + g^2
        w <- w - lr * g / sqrt(a + epsilon)

    PyTorch's Adagrad (`initial_accumulator_value`, `lr_decay=0`) adds `eps`
    outside the square root, `lr * g / (sqrt(a) + eps)`, so the two agree only
    up to epsilon (exactly when `epsilon=0`).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        initial_accumulator_value: Starting value >= 0 of the accumulators
            (default 0.1).
        epsilon: Small constant >= 0 for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs:
            See `Optimizer` (default name "adagrad").

    Raises:
        ValueError: If `initial_accumulator_value` or `epsilon` is negative.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([1.0])
        >>> opt = optimizers.Adagrad(learning_rate=0.5, initial_accumulator_value=0.0,
        ...                          epsilon=0.0)
        >>> opt.apply([baro.constant([3.0])], [w])   # 1 - 0.5 * 3 / sqrt(9)
        >>> w.numpy()
        array([0.5], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str = "adagrad",
                 **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         name=name, **kwargs)
        self.initial_accumulator_value = check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, 0.0)
        self.epsilon = check_number("Adagrad", "epsilon", default_epsilon(epsilon),
                                    0.0)

    def build(self, var_list) -> None:
        """Creates an `accumulator` slot per variable."""
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        """One Adagrad step on `variable`, in place (see the class docstring)."""
        i = self._get_variable_index(variable)
        w = variable.data
        a = self._accumulators[i].data
        s = self._scratch[i][0]
        # a <- a + g^2
        a += np.square(gradient, out=s)
        # w <- w - lr * g / sqrt(a + epsilon)
        np.add(a, self.epsilon, out=s)
        np.sqrt(s, out=s)
        np.divide(gradient, s, out=s)
        w -= np.multiply(s, learning_rate, out=s)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(initial_accumulator_value=self.initial_accumulator_value,
                      epsilon=self.epsilon)
        return config
