"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

from __future__ import annotations

from baro.optimizers.adam import Adam
from baro.saving import register_serializable


@register_serializable()
class AdamW(Adam):
    """Adam with decoupled weight decay (`keras.optimizers.AdamW`).

    Each step first shrinks the weights, then takes an Adam step (see `Adam`):

        w <- w - w * weight_decay * lr
        w <- adam_step(w, g)

    The decay is the base optimizer's (`Optimizer` step 4), so
    `exclude_from_weight_decay` applies. PyTorch's AdamW decays the same way
    (`w <- w * (1 - lr * weight_decay)`); its Adam step differs only in where
    epsilon enters (see `Adam`).

    Args:
        learning_rate: Float, schedule or callable (default 0.001).
        weight_decay: Decoupled weight decay >= 0 (default 0.004); required.
        beta_1, beta_2, epsilon, amsgrad: As in `Adam` (defaults 0.9, 0.999,
            1e-7, False).
        clipnorm, clipvalue, global_clipnorm, name, **kwargs: See `Optimizer`
            (default name "adamw").

    Raises:
        ValueError: If `weight_decay` is None, or for out-of-range values.

    Example:
        >>> import baro
        >>> from baro import optimizers
        >>> w = baro.Variable([2.0])
        >>> opt = optimizers.AdamW(learning_rate=1.0, weight_decay=0.5)
        >>> opt.apply([baro.constant([0.0])], [w])   # decay only: 2 - 2 * 0.5
        >>> w.numpy()
        array([1.], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str = "adamw", **kwargs) -> None:
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. "
                             "Received: weight_decay=None. Use Adam for no decay.")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
