"""LSTMCell (one timestep) and LSTM (a whole sequence, one fused op)."""

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
class LSTMCell(Layer, DropoutRNNCell):
    """One timestep of a Long Short-Term Memory layer (Hochreiter, 1997).

    With `z = x @ kernel + h @ recurrent_kernel + bias` split into the gates
    i, f, c, o (Keras's order along the last axis):

        i = s(z_i),  f = s(z_f),  o = s(z_o)   (s = recurrent_activation)
        c' = f * c + i * a(z_c),  h' = o * a(c')   (a = activation)

    Args:
        units: Size of the state and output (positive int).
        activation: Default "tanh". recurrent_activation: Default "sigmoid".
        use_bias: Default True.
        kernel_initializer: Default "glorot_uniform".
        recurrent_initializer: Default "orthogonal".
        bias_initializer: Default "zeros".
        unit_forget_bias: Initialize the forget gate's bias to 1 (default True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Optional.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional.
        dropout: Fraction of the inputs to drop (default 0).
        recurrent_dropout: Fraction of the recurrent state to drop (default 0);
            when > 0 every gate gets its own masks (Keras's implementation 1).
        seed: Optional int for the dropout masks.

    Call arguments:
        inputs: (batch, features). states: `[h, c]`, each (batch, units).
        training: Dropout is applied only in training.

    Returns:
        `(h', [h', c'])`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.lstm import LSTMCell
        >>> cell = LSTMCell(4)
        >>> h = np.zeros((2, 4), "float32")
        >>> out, (h1, c1) = cell(np.ones((2, 3), "float32"), [h, h])
        >>> out.shape, cell.count_params()
        ((2, 4), 128)
    """

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed=None, **kwargs) -> None:
        kwargs.pop("implementation", None)  # Keras's kernel choice; one here
        super().__init__(**kwargs)
        self.units = check_units("LSTMCell", units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate("LSTMCell", "dropout", dropout)
        self.recurrent_dropout = check_rate("LSTMCell", "recurrent_dropout",
                                            recurrent_dropout)
        self.dropout_mask_count = 4 if self.recurrent_dropout > 0 else None
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape) -> None:
        units = self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 4 * units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(units, 4 * units), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = None
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                def init(shape, dtype=None):
                    # Forget-gate bias 1 (Jozefowicz et al., 2015), others as asked.
                    return ops.concatenate([
                        self.bias_initializer((units,), dtype),
                        ops.ones((units,), dtype),
                        self.bias_initializer((2 * units,), dtype)])
            self.bias = self.add_weight(
                shape=(4 * units,), initializer=init,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs, states, training=None):
        h, c = states[0], states[1]
        dropout = self.get_dropout_mask(inputs) if training else None
        recurrent_dropout = self.get_recurrent_dropout_mask(h) if training else None
        z = gate_matmul(inputs, self.kernel, dropout) + \
            gate_matmul(h, self.recurrent_kernel, recurrent_dropout)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        c = self.recurrent_activation(z_f) * c + \
            self.recurrent_activation(z_i) * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size: int) -> list:
        return [ops.zeros((batch_size, self.units), self.dtype) for _ in range(2)]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": serialize(self.activation),
            "recurrent_activation": serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "recurrent_initializer": serialize(self.recurrent_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
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
class LSTM(RNN):
    """Long Short-Term Memory layer (Hochreiter, 1997), Keras's `LSTM`.

    Runs `LSTMCell`'s recurrence over the sequence as one fused op
    (`baro.ops.recurrent.lstm`: the whole forward and backpropagation through
    time on raw arrays); activations other than tanh, sigmoid, relu, linear and
    hard_sigmoid step the cell with ordinary ops instead. Weights (on the cell):
    kernel (features, 4 * units), recurrent_kernel (units, 4 * units), bias
    (4 * units,), gates ordered i, f, c, o, so
    params = 4 * (units * (features + units) + units).

    Args:
        units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, unit_forget_bias,
            kernel_regularizer, recurrent_regularizer, bias_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed: As in `LSTMCell` (same defaults).
        activity_regularizer: Optional, on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: As in
            `RNN` (defaults False).
        **kwargs: Base Layer arguments.

    Call arguments:
        sequences: (batch, timesteps, features).
        initial_state: Optional `[h0, c0]`, each (batch, units).
        mask: Optional bool (batch, timesteps); masked steps are skipped.
        training: Enables dropout.

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, units)` or `(batch, timesteps, units)`; with
    `return_state`, `[output, h, c]`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.lstm import LSTM
        >>> layer = LSTM(128)
        >>> layer(np.zeros((2, 28, 28), "float32")).shape, layer.count_params()
        ((2, 128), 80384)
    """

    units = cell_attribute()
    activation = cell_attribute()
    recurrent_activation = cell_attribute()
    use_bias = cell_attribute()
    unit_forget_bias = cell_attribute()
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

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, **kwargs) -> None:
        kwargs.pop("use_cudnn", None)  # Keras's GPU switch; one kernel here
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="lstm_cell", implementation=kwargs.pop("implementation", None))
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def _run(self, sequences, initial_state, mask, training):
        cell = self.cell
        activation = fused_activation(cell.activation)
        recurrent_activation = fused_activation(cell.recurrent_activation)
        if activation is None or recurrent_activation is None or \
                sequences.ndim != 3:
            return super()._run(sequences, initial_state, mask, training)
        output, h, c = recurrent.lstm(
            sequences, cell.kernel, cell.recurrent_kernel, cell.bias,
            initial_state, mask=mask, go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask,
            activation=activation, recurrent_activation=recurrent_activation,
            **dropout_arrays(cell, training))
        return output, [h, c]

    def get_config(self) -> dict:
        return self._config_with_cell()

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
