"""Concatenate: joins a list of tensors along one axis."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Concatenate(Layer):
    """Concatenates a list of tensors along `axis` (default -1).

    All shapes must match except along `axis`.

    Example:
        >>> import baro
        >>> layer = baro.keras.layers.Concatenate()
        >>> layer([baro.ones((2, 3)), baro.ones((2, 4))]).shape
        (2, 7)
    """

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 1 or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"Concatenate {self.name!r} must be called on a list "
                             f"of tensors, received input shape {input_shape}.")
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"Concatenate {self.name!r}: inputs have different "
                             f"ranks: {[tuple(s) for s in input_shape]}. Flatten "
                             "or Reshape the branches to the same rank first.")
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            sizes = {s[i] for s in input_shape if s[i] is not None}
            if i != axis and len(sizes) > 1:
                raise ValueError(
                    f"Concatenate {self.name!r}: shapes "
                    f"{[tuple(s) for s in input_shape]} differ on axis {i}; only "
                    f"the concatenation axis ({self.axis}) may differ. To join "
                    f"along axis {i}, use Concatenate(axis={i}); otherwise "
                    "Reshape or pool the branches to matching sizes first.")
        self.built = True

    def call(self, inputs):
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape[0])
        axis = self.axis % rank
        out = list(input_shape[0])
        sizes = [s[axis] for s in input_shape]
        out[axis] = None if any(s is None for s in sizes) else sum(sizes)
        return tuple(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis: int = -1, **kwargs):
    """Functional form of `Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
