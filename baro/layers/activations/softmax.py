"""Softmax: the softmax activation as a layer, with Keras's masking."""

from __future__ import annotations

import numpy as np

from baro import activations, ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable


def _large_negative(dtype) -> float:
    # Keras's value: exp of it is 0 in the dtype, yet it stays finite, so a
    # row masked entirely gives a uniform softmax instead of NaN.
    return -3e4 if np.dtype(dtype) == np.float16 else -1e9


@register_serializable()
class Softmax(Layer):
    """y = exp(x) / sum(exp(x)) along `axis` (shifted by the max: stable).

    With a mask (True/1 = keep), masked logits get -1e9 added (-3e4 in
    float16) before the softmax, as in Keras, so they receive ~0 probability.

    Args:
        axis: An int or a list of ints normalized together (default -1).
        **kwargs: Base Layer arguments.

    Call arguments:
        inputs: Logits.
        mask: Optional boolean mask broadcastable to `inputs`.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.activations.softmax import Softmax
        >>> x = np.array([[1.0, 2.0, 1.0]])
        >>> Softmax()(x, mask=np.array([[True, True, False]])).numpy().round(4)
        array([[0.2689, 0.7311, 0.    ]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = int(axis)
        else:
            raise TypeError(
                f"Softmax: axis must be an int or a list of ints, received "
                f"axis={axis!r}.")
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            keep = ops.cast(ops.convert_to_tensor(mask), inputs.dtype)
            try:
                np.broadcast_shapes(tuple(keep.shape), tuple(inputs.shape))
            except ValueError:
                raise ValueError(
                    f"Softmax {self.name!r}: the mask of shape {tuple(keep.shape)} "
                    f"does not broadcast to the inputs of shape "
                    f"{tuple(inputs.shape)}.") from None
            inputs = inputs + (1.0 - keep) * _large_negative(inputs.dtype)
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        return activations.softmax(inputs, axis=axis)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
