"""Merge: the shared base of Add, Subtract, Multiply, Average, Maximum, Minimum."""

from __future__ import annotations

import numpy as np

from baro.layers.layer import Layer


class Merge(Layer):
    """Combines a list of same-shape tensors elementwise (`_merge` per subclass).

    Raises:
        ValueError: If the input is not a list of at least two tensors, or the
            shapes (batch axis aside) do not broadcast together.
    """

    min_inputs = 2

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        self.built = True

    def _check_shapes(self, shapes) -> None:
        if not isinstance(shapes, (list, tuple)) or len(shapes) < self.min_inputs \
                or not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} must be called on a list of "
                f"at least {self.min_inputs} tensors, received input shape {shapes}.")
        try:
            np.broadcast_shapes(*[tuple(1 if d is None else d for d in s[1:])
                                  for s in shapes])
        except ValueError:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: inputs with shapes "
                f"{[tuple(s) for s in shapes]} cannot be merged; all must have "
                "the same shape (apart from the batch axis). Make the branches "
                "agree, e.g. a Dense with the same units on each branch, or use "
                "Concatenate to join tensors of different widths.") from None

    def call(self, inputs):
        result = inputs[0]
        for x in inputs[1:]:
            result = self._merge(result, x)
        return result

    def _merge(self, a, b):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        rest = [tuple(1 if d is None else d for d in s[1:]) for s in input_shape]
        out = np.broadcast_shapes(*rest)
        unknown = [any(s[i + 1] is None for s in input_shape if len(s) > i + 1)
                   for i in range(len(out))]
        return (input_shape[0][0],) + tuple(
            None if u else int(d) for d, u in zip(out, unknown, strict=True))
