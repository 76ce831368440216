"""Permute: reorders the non-batch axes."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


@register_serializable()
class Permute(Layer):
    """Permutes the axes of each sample: output axis i is input axis `dims[i-1]`.

    Args:
        dims: A permutation of `1..rank-1` (the batch axis 0 stays first and is
            not listed); e.g. `(2, 1)` swaps the two axes of `(batch, steps,
            features)` inputs.
        **kwargs: Base Layer arguments.

    Input shape: `(batch, d1, ..., dn)` with n = len(dims).
    Output shape: `(batch, d[dims[0]], ..., d[dims[n-1]])`.

    Raises:
        ValueError: If `dims` is not a permutation of 1..n, or the input rank
            is not len(dims) + 1.

    Example:
        >>> import baro
        >>> from baro.layers.reshaping.permute import Permute
        >>> Permute((2, 1))(baro.ones((4, 10, 64))).shape
        (4, 64, 10)
    """

    def __init__(self, dims, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            dims = tuple(int(d) for d in dims)
        except (TypeError, ValueError):
            raise ValueError(
                f"Permute: dims must be a tuple of ints, received dims={dims!r}."
            ) from None
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Permute: dims must be a permutation of consecutive axes starting "
                f"at 1 (the batch axis is not listed), received dims={dims}.")
        self.dims = dims

    def call(self, inputs):
        if inputs.ndim != len(self.dims) + 1:
            raise ValueError(
                f"Permute {self.name!r} with dims={self.dims} expects inputs of "
                f"rank {len(self.dims) + 1}, received shape {tuple(inputs.shape)}.")
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": list(self.dims)}
