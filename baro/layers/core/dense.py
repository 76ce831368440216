"""Dense: the fully connected layer, y = activation(x @ kernel + bias)."""

from __future__ import annotations

from baro import activations, constraints, initializers, regularizers
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class Dense(Layer):
    """Densely connected layer: `output = activation(inputs @ kernel + bias)`.

    The kernel has shape `(input_dim, units)` (Keras layout). Inputs of rank > 2
    are multiplied along their last axis.

    Args:
        units: Number of outputs (positive int).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector.
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `input_dim`, `input_shape`, ...).

    Input shape:
        `(batch, ..., input_dim)`.

    Output shape:
        `(batch, ..., units)`.

    Example:
        >>> import baro
        >>> layer = baro.keras.layers.Dense(12, input_dim=8)
        >>> layer(baro.ones((2, 8))).shape, layer.count_params()
        ((2, 12), 108)
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(
                f"Dense: units must be a positive integer, received units={units!r}.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense {self.name!r}: the last axis of the input must be known, "
                f"received input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs):
        expected = self.kernel.shape[0]
        if inputs.shape[-1] != expected:
            hint = " Add Flatten() before it or reshape the data." \
                if inputs.ndim > 2 else ""
            raise ValueError(
                f"Dense {self.name!r} expected {expected} features on the last "
                f"axis, got input of shape {tuple(inputs.shape)}.{hint}")
        outputs = inputs @ self.kernel
        if self.bias is not None:
            outputs = outputs + self.bias
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }
