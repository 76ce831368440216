"""PReLU: leaky ReLU with a learned slope per input entry."""

from __future__ import annotations

from baro import constraints, initializers, ops, regularizers
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class PReLU(Layer):
    """Parametric ReLU: y = x if x >= 0 else alpha * x, with `alpha` learned.

    Computed as relu(x) - alpha * relu(-x) (Keras's form), so the gradient at
    x = 0 is 0. `alpha` has the shape of one sample, with size 1 on the
    `shared_axes` (e.g. `shared_axes=[1, 2]` after a channels_last Conv2D
    gives one slope per channel).

    Args:
        alpha_initializer: Default "Zeros" (PReLU starts as ReLU).
        alpha_regularizer: Optional.
        alpha_constraint: Optional.
        shared_axes: An int or list of ints in 1..rank-1, the axes sharing one
            slope (default None: a slope per entry).
        **kwargs: Base Layer arguments.

    Weights: `alpha`, of shape `input_shape[1:]` with 1 on the shared axes.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.activations.prelu import PReLU
        >>> layer = PReLU(alpha_initializer="ones", shared_axes=[1])
        >>> layer(np.ones((2, 5, 3))).shape, layer.alpha.shape
        ((2, 5, 3), (1, 3))
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = shared_axes if isinstance(shared_axes, (list, tuple)) else \
                [shared_axes]
            try:
                self.shared_axes = [int(a) for a in axes]
            except (TypeError, ValueError):
                raise ValueError(
                    "PReLU: shared_axes must be an int or a list of ints, received "
                    f"shared_axes={shared_axes!r}.") from None
        self.supports_masking = True

    def build(self, input_shape) -> None:
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if not 1 <= a < len(input_shape):
                raise ValueError(
                    f"PReLU {self.name!r}: shared_axes={self.shared_axes} must lie "
                    f"in 1..{len(input_shape) - 1} (axis 0 is the batch) for "
                    f"inputs of shape {tuple(input_shape)}.")
            shape[a - 1] = 1
        if any(s is None for s in shape):
            raise ValueError(
                f"PReLU {self.name!r}: every non-shared axis needs a known size, "
                f"received input shape {tuple(input_shape)}; share the unknown "
                "axes with shared_axes.")
        self.alpha = self.add_weight(
            shape=shape, initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
            name="alpha")
        self.built = True

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "alpha_initializer": serialize(self.alpha_initializer),
            "alpha_regularizer": serialize(self.alpha_regularizer),
            "alpha_constraint": serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
