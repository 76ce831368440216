"""Dot: the per-sample dot product of two tensors, and its functional form."""

from __future__ import annotations

import math

from baro import ops
from baro.backend.config import epsilon
from baro.layers.merging.base_merge import Merge
from baro.saving.registry import register_serializable


@register_serializable()
class Dot(Merge):
    """Per-sample dot product of two tensors over one axis of each (Keras's
    `batch_dot`).

    For x1 of shape (batch, *r1) contracted on axis a1 and x2 of shape
    (batch, *r2) on axis a2 (sizes equal):

        y[b, i, j] = sum_k x1[b, i.., k, ..] * x2[b, j.., k, ..]

    The output shape is x1's without a1, then x2's without its batch axis and
    a2; a result of rank 1 becomes `(batch, 1)`. With `normalize=True` both
    inputs are first L2-normalized along their axes, x / max(||x||, 1e-7), so
    the result is the cosine similarity.

    Args:
        axes: An int (the same axis of both inputs; negative counts from each
            input's end) or a tuple of 2 ints. Axis 0 (batch) is not allowed.
        normalize: L2-normalize along the axes first (default False).
        **kwargs: Base Layer arguments.

    Input shape: a list of 2 tensors of rank >= 2 with the same batch size.

    Raises:
        TypeError / ValueError: For malformed `axes`, axis 0, or contracted
            axes of different sizes (the message shows both shapes).

    Example:
        >>> import numpy as np
        >>> from baro.layers.merging.dot import Dot
        >>> x = np.arange(10.0).reshape(1, 5, 2)
        >>> y = np.arange(10.0, 20.0).reshape(1, 2, 5)
        >>> Dot(axes=(1, 2))([x, y]).numpy()
        array([[[260., 360.],
                [320., 445.]]], dtype=float32)
    """

    def __init__(self, axes, normalize: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(
                    "Dot: axes must be an int or a tuple of 2 ints, received "
                    f"axes={axes!r}.")
            if not all(isinstance(a, int) and not isinstance(a, bool)
                       for a in axes):
                raise ValueError(
                    f"Dot: the entries of axes must be ints, received axes={axes!r}.")
            axes = [int(a) for a in axes]
        elif not isinstance(axes, int) or isinstance(axes, bool):
            raise TypeError(
                f"Dot: axes must be an int or a tuple of 2 ints, received "
                f"axes={axes!r}.")
        self.axes = axes
        self.normalize = bool(normalize)

    def _resolved_axes(self, shapes) -> list[int]:
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        result = []
        for a, shape in zip(pair, shapes, strict=True):
            if not -len(shape) <= a < len(shape) or a % len(shape) == 0:
                raise ValueError(
                    f"Dot {self.name!r}: axes={self.axes} must name a non-batch "
                    f"axis of each input; input shapes {[tuple(s) for s in shapes]}.")
            result.append(a % len(shape))
        return result

    def _check_shapes(self, shapes) -> None:
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2 or \
                not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(
                f"Dot {self.name!r} must be called on a list of 2 tensors, received "
                f"input shape {shapes}.")
        shape1, shape2 = shapes
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f"Dot {self.name!r} needs inputs of rank >= 2 (batch first), "
                f"received shapes {tuple(shape1)} and {tuple(shape2)}.")
        a1, a2 = self._resolved_axes(shapes)
        d1, d2 = shape1[a1], shape2[a2]
        b1, b2 = shape1[0], shape2[0]
        if (d1 is not None and d2 is not None and d1 != d2) or \
                (b1 is not None and b2 is not None and b1 != b2):
            raise ValueError(
                f"Dot {self.name!r}: incompatible input shapes {tuple(shape1)} and "
                f"{tuple(shape2)} with axes={self.axes}: axis {a1} has size {d1}, "
                f"axis {a2} has size {d2} (and the batch sizes must match).")

    def call(self, inputs):
        self._check_shapes([tuple(x.shape) for x in inputs])
        x1, x2 = inputs
        a1, a2 = self._resolved_axes([x1.shape, x2.shape])
        if self.normalize:
            x1 = _l2_normalize(x1, a1)
            x2 = _l2_normalize(x2, a2)
        # (batch, rest1, k) @ (batch, k, rest2): one batched matmul.
        x1 = ops.transpose(x1, [i for i in range(x1.ndim) if i != a1] + [a1])
        x2 = ops.transpose(x2, [0, a2] + [i for i in range(1, x2.ndim) if i != a2])
        batch, k = x1.shape[0], x1.shape[-1]
        rest1, rest2 = x1.shape[1:-1], x2.shape[2:]
        out = ops.matmul(ops.reshape(x1, (batch, math.prod(rest1), k)),
                         ops.reshape(x2, (batch, k, math.prod(rest2))))
        return ops.reshape(out, (batch,) + (rest1 + rest2 or (1,)))

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        shape1, shape2 = (list(s) for s in input_shape)
        a1, a2 = self._resolved_axes(input_shape)
        shape1.pop(a1)
        shape2.pop(a2)
        out = shape1 + shape2[1:]
        return tuple(out if len(out) > 1 else out + [1])

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes,
                "normalize": self.normalize}


def _l2_normalize(x, axis: int):
    # x / max(||x||, eps) written as x * rsqrt(max(sum(x^2), eps^2)) (Keras's
    # ops.normalize with backend epsilon, 1e-7 by default).
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, epsilon() ** 2))


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`: `dot([x1, x2], axes, normalize=False)`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.merging.dot import dot
        >>> dot([np.ones((2, 3)), np.ones((2, 3))], axes=1).numpy()
        array([[3.],
               [3.]], dtype=float32)
    """
    return Dot(axes=axes, **kwargs)(inputs)
