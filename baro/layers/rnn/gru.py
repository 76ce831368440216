"""GRUCell (one timestep) and GRU (a whole sequence, one fused op)."""

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
class GRUCell(Layer, DropoutRNNCell):
    """One timestep of a Gated Recurrent Unit (Cho et al., 2014).

    Gates z (update), r (reset), h (candidate) along the kernels' last axis, with
    `x_* = x @ kernel_* + b_in_*`. For `reset_after=True` (Keras's default, with
    a separate recurrent bias) and `p_* = h @ recurrent_kernel_* + b_rec_*`:

        z = s(x_z + p_z),  r = s(x_r + p_r),  n = a(x_h + r * p_h)

    and for `reset_after=False`: z, r as above without recurrent bias and
    `n = a(x_h + (r * h) @ recurrent_kernel_h)`. Then `h' = z * h + (1 - z) * n`.

    Args:
        units: Size of the state and output (positive int).
        activation: Default "tanh". recurrent_activation: Default "sigmoid".
        use_bias: Default True; the bias is (2, 3 * units) with `reset_after`
            (input and recurrent biases), else (3 * units,).
        kernel_initializer: Default "glorot_uniform".
        recurrent_initializer: Default "orthogonal".
        bias_initializer: Default "zeros".
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Optional.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional.
        dropout, recurrent_dropout: Fractions to drop (default 0); per-gate
            masks when recurrent_dropout > 0 (as Keras).
        reset_after: Apply the reset gate after the recurrent matmul (default
            True).
        seed: Optional int for the dropout masks.

    Call arguments:
        inputs: (batch, features). states: `[h]`, (batch, units).
        training: Dropout is applied only in training.

    Returns:
        `(h', [h'])`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.gru import GRUCell
        >>> cell = GRUCell(4)
        >>> out, _ = cell(np.ones((2, 3), "float32"), [np.zeros((2, 4), "float32")])
        >>> out.shape, cell.count_params()
        ((2, 4), 108)
    """

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 reset_after: bool = True, seed=None, **kwargs) -> None:
        kwargs.pop("implementation", None)  # Keras's kernel choice; one here
        super().__init__(**kwargs)
        self.units = check_units("GRUCell", units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
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
        self.dropout = check_rate("GRUCell", "dropout", dropout)
        self.recurrent_dropout = check_rate("GRUCell", "recurrent_dropout",
                                            recurrent_dropout)
        self.dropout_mask_count = 3 if self.recurrent_dropout > 0 else None
        self.reset_after = bool(reset_after)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape) -> None:
        units = self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 3 * units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(units, 3 * units), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = None
        if self.use_bias:
            shape = (2, 3 * units) if self.reset_after else (3 * units,)
            self.bias = self.add_weight(
                shape=shape, initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        units = self.units
        dropout = self.get_dropout_mask(inputs) if training else None
        recurrent_dropout = self.get_recurrent_dropout_mask(h) if training else None
        x = gate_matmul(inputs, self.kernel, dropout)
        if self.bias is not None:
            x = x + (self.bias[0] if self.reset_after else self.bias)
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)
        if self.reset_after:
            p = gate_matmul(h, self.recurrent_kernel, recurrent_dropout)
            if self.bias is not None:
                p = p + self.bias[1]
            p_z, p_r, p_h = ops.split(p, 3, axis=-1)
            z = self.recurrent_activation(x_z + p_z)
            r = self.recurrent_activation(x_r + p_r)
            n = self.activation(x_h + r * p_h)
        else:
            zr_masks = recurrent_dropout
            h_masked = h
            if isinstance(recurrent_dropout, list):
                zr_masks, h_masked = recurrent_dropout[:2], h * recurrent_dropout[2]
            elif recurrent_dropout is not None:
                h_masked = h * recurrent_dropout
            p_z, p_r = ops.split(
                gate_matmul(h, self.recurrent_kernel[:, :2 * units], zr_masks), 2,
                axis=-1)
            z = self.recurrent_activation(x_z + p_z)
            r = self.recurrent_activation(x_r + p_r)
            n = self.activation(
                x_h + (r * h_masked) @ self.recurrent_kernel[:, 2 * units:])
        h = z * h + (1.0 - z) * n
        return h, [h]

    def get_initial_state(self, batch_size: int) -> list:
        return [ops.zeros((batch_size, self.units), self.dtype)]

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
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "recurrent_regularizer": serialize(self.recurrent_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "recurrent_constraint": serialize(self.recurrent_constraint),
            "bias_constraint": serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "reset_after": self.reset_after,
            "seed": self.seed,
        }


@register_serializable()
class GRU(RNN):
    """Gated Recurrent Unit layer (Cho et al., 2014), Keras's `GRU`.

    Runs `GRUCell`'s recurrence over the sequence as one fused op
    (`baro.ops.recurrent.gru`); activations other than tanh, sigmoid, relu,
    linear and hard_sigmoid step the cell with ordinary ops instead. Weights (on
    the cell): kernel (features, 3 * units), recurrent_kernel (units, 3 * units),
    bias (2, 3 * units) with `reset_after` (else (3 * units,)), gates z, r, h; so
    params = 3 * units * (features + units) + 2 * 3 * units by default.

    Args:
        units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, kernel_regularizer,
            recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
            reset_after, seed: As in `GRUCell` (same defaults).
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
        >>> from baro.layers.rnn.gru import GRU
        >>> layer = GRU(64)
        >>> layer(np.zeros((2, 28, 28), "float32")).shape, layer.count_params()
        ((2, 64), 18048)
    """

    units = cell_attribute()
    activation = cell_attribute()
    recurrent_activation = cell_attribute()
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
    reset_after = cell_attribute()

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, reset_after: bool = True, **kwargs) -> None:
        kwargs.pop("use_cudnn", None)  # Keras's GPU switch; one kernel here
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, reset_after=reset_after, seed=seed,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", implementation=kwargs.pop("implementation", None))
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
        output, h = recurrent.gru(
            sequences, cell.kernel, cell.recurrent_kernel, cell.bias,
            initial_state, reset_after=cell.reset_after, mask=mask,
            go_backwards=self.go_backwards, return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask, activation=activation,
            recurrent_activation=recurrent_activation,
            **dropout_arrays(cell, training))
        return output, [h]

    def get_config(self) -> dict:
        return self._config_with_cell()

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
