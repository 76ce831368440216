"""RepeatVector: repeats a feature vector n times along a new axis."""

from __future__ import annotations

import operator

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class RepeatVector(Layer):
    """Turns `(batch, features)` into `(batch, n, features)` by repetition.

    Args:
        n: Number of repetitions (a non-negative int).
        **kwargs: Base Layer arguments.

    Input shape: `(batch, features)`. Output shape: `(batch, n, features)`.

    Raises:
        TypeError: If `n` is not an integer.
        ValueError: If the input is not 2-D.

    Example:
        >>> import baro
        >>> from baro.layers.reshaping.repeat_vector import RepeatVector
        >>> RepeatVector(3)(baro.ones((2, 32))).shape
        (2, 3, 32)
    """

    def __init__(self, n: int, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            n = operator.index(n)
        except TypeError:
            raise TypeError(
                f"RepeatVector: n must be an integer, received n={n!r} of type "
                f"{type(n).__name__}.") from None
        if n < 0:
            raise ValueError(f"RepeatVector: n must be >= 0, received n={n}.")
        self.n = n

    def call(self, inputs):
        if inputs.ndim != 2:
            raise ValueError(
                f"RepeatVector {self.name!r} expects 2-D inputs (batch, features), "
                f"received shape {tuple(inputs.shape)}. Flatten them first.")
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
