"""Dense: the fully connected layer, y = activation(x @ kernel + bias)."""

from __future__ import annotations

from baro import activations, constraints, initializers, regularizers
from baro.core.tensor import Tensor
from baro.layers.layer import Layer
from baro.ops.dense import Dense as DenseOp
from baro.ops.dense import dense
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize

# Activations computed inside the fused dense op. Softmax and sigmoid stay
# separate ops on purpose: a crossentropy finds the logits through them.
_FUSED = ((activations.linear, "linear"), (activations.relu, "relu"),
          (activations.tanh, "tanh"))


@register_serializable()
class Dense(Layer):
    """Densely connected layer: `output = activation(inputs @ kernel + bias)`.

    The kernel has shape `(input_dim, units)` (Keras layout). Inputs of rank > 2
    are multiplied along their last axis. With a linear, relu or tanh activation
    the whole layer is one fused op (`baro.ops.nn.dense`); other activations are
    applied to its linear output.

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
        kernel = self.kernel
        if inputs.shape[-1] != kernel.shape[0]:
            raise self._features_error(inputs.shape)
        activation = self.activation
        fused = "linear" if activation is None else None
        for function, name in _FUSED:
            if activation is function:
                fused = name
        if type(inputs) is Tensor and inputs.dtype == kernel.dtype and \
                inputs.ndim >= 1:
            # The checks `ops.dense` makes hold by construction here (shapes
            # checked above, the bias made (units,) in build, one dtype):
            # apply the op directly, ~3 us less per call.
            bias = self.bias
            outputs = DenseOp(fused or "linear").apply(
                *((inputs, kernel) if bias is None else (inputs, kernel, bias)))
        else:
            outputs = dense(inputs, kernel, self.bias, fused or "linear")
        if fused is None:
            outputs = activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        if self.built and input_shape[-1] is not None and \
                input_shape[-1] != self.kernel.shape[0]:
            raise self._features_error(input_shape)
        return tuple(input_shape[:-1]) + (self.units,)

    def _features_error(self, shape) -> ValueError:
        expected, shape = self.kernel.shape[0], tuple(shape)
        if len(shape) > 2:
            hint = " Add Flatten() before it or reshape the data."
        else:
            hint = (f" Its kernel was made for {expected} features (on its first "
                    "call, or from the model's Input): feed data with "
                    f"{expected} features, or build the model for this data with "
                    f"Input(shape=({shape[-1]},)).")
        return ValueError(f"Dense {self.name!r} expected {expected} features on "
                          f"the last axis, got input of shape {shape}.{hint}")

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
