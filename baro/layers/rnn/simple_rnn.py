"""SimpleRNNCell (one timestep) and SimpleRNN (a whole sequence, one fused op)."""

from __future__ import annotations

from baro import activations, constraints, initializers, ops, regularizers
from baro.backend.random import SeedGenerator
from baro.layers.layer import Layer
from baro.layers.rnn.rnn import (
    RNN,
    DropoutRNNCell,
    cell_attribute,
    check_rate,
    check_units,
    dropout_arrays,
    fused_activation,
    gate_matmul,
)
from baro.ops import recurrent
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class SimpleRNNCell(Layer, DropoutRNNCell):
    """One timestep of a fully connected RNN:
    `h' = activation(x @ kernel + h @ recurrent_kernel + bias)`.

    Args:
        units: Size of the state and output (positive int).
        activation: Default "tanh".
        use_bias: Default True.
        kernel_initializer: Default "glorot_uniform".
        recurrent_initializer: Default "orthogonal".
        bias_initializer: Default "zeros".
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Optional.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional.
        dropout, recurrent_dropout: Fractions of the inputs / state to drop
            (default 0).
        seed: Optional int for the dropout masks.

    Call arguments:
        inputs: (batch, features). states: `[h]`, (batch, units).
        training: Dropout is applied only in training.

    Returns:
        `(h', [h'])`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.simple_rnn import SimpleRNNCell
        >>> cell = SimpleRNNCell(4)
        >>> out, _ = cell(np.ones((2, 3), "float32"), [np.zeros((2, 4), "float32")])
        >>> out.shape, cell.count_params()
        ((2, 4), 32)
    """

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.units = check_units("SimpleRNNCell", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate("SimpleRNNCell", "dropout", dropout)
        self.recurrent_dropout = check_rate("SimpleRNNCell", "recurrent_dropout",
                                            recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape) -> None:
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        dropout = self.get_dropout_mask(inputs) if training else None
        recurrent_dropout = self.get_recurrent_dropout_mask(h) if training else None
        y = gate_matmul(inputs, self.kernel, dropout)
        if self.bias is not None:
            y = y + self.bias
        y = self.activation(y + gate_matmul(h, self.recurrent_kernel,
                                            recurrent_dropout))
        return y, [y]

    def get_initial_state(self, batch_size: int) -> list:
        return [ops.zeros((batch_size, self.units), self.dtype)]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "recurrent_initializer": serialize(self.recurrent_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "recurrent_regularizer": serialize(self.recurrent_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "recurrent_constraint": serialize(self.recurrent_constraint),
            "bias_constraint": serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


@register_serializable()
class SimpleRNN(RNN):
    """Fully connected RNN layer, Keras's `SimpleRNN`:
    `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Runs as one fused op (`baro.ops.recurrent.simple_rnn`); activations other
    than tanh, sigmoid, relu, linear and hard_sigmoid step the cell with ordinary
    ops. Weights (on the cell): kernel (features, units), recurrent_kernel
    (units, units), bias (units,).

    Args:
        units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint,
            bias_constraint, dropout, recurrent_dropout, seed: As in
            `SimpleRNNCell` (same defaults).
        activity_regularizer: Optional, on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: As in
            `RNN` (defaults False).
        **kwargs: Base Layer arguments.

    Call arguments:
        sequences: (batch, timesteps, features).
        initial_state: Optional `[h0]`, (batch, units).
        mask: Optional bool (batch, timesteps); masked steps are skipped.
        training: Enables dropout.

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, units)` or `(batch, timesteps, units)`; with
    `return_state`, `[output, h]`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.simple_rnn import SimpleRNN
        >>> layer = SimpleRNN(4, return_sequences=True)
        >>> layer(np.zeros((2, 10, 8), "float32")).shape, layer.count_params()
        ((2, 10, 4), 52)
    """

    units = cell_attribute()
    activation = cell_attribute()
    use_bias = cell_attribute()
    kernel_initializer = cell_attribute()
    recurrent_initializer = cell_attribute()
    bias_initializer = cell_attribute()
    kernel_regularizer = cell_attribute()
    recurrent_regularizer = cell_attribute()
    bias_regularizer = cell_attribute()
    kernel_constraint = cell_attribute()
    recurrent_constraint = cell_attribute()
    bias_constraint = cell_attribute()
    dropout = cell_attribute()
    recurrent_dropout = cell_attribute()

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, **kwargs) -> None:
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def _run(self, sequences, initial_state, mask, training):
        cell = self.cell
        activation = fused_activation(cell.activation)
        if activation is None or sequences.ndim != 3:
            return super()._run(sequences, initial_state, mask, training)
        output, h = recurrent.simple_rnn(
            sequences, cell.kernel, cell.recurrent_kernel, cell.bias,
            initial_state, mask=mask, go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask, activation=activation,
            **dropout_arrays(cell, training))
        return output, [h]

    def get_config(self) -> dict:
        return self._config_with_cell()

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
