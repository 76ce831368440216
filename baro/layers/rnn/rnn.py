"""RNN: runs a cell over the timesteps of a sequence (`keras.layers.RNN`).

Also the pieces the LSTM, GRU and SimpleRNN files share: the `DropoutRNNCell`
mixin (dropout masks fixed over a sequence), `gate_matmul` (a projection with
per-gate dropout masks), `fused_activation` (which activations the fused
sequence ops in `baro.ops.recurrent` implement) and `cell_attribute`.
"""

from __future__ import annotations

import numpy as np

from baro import activations, ops
from baro.backend.random import random_float_mask
from baro.core.tensor import Tensor
from baro.core.variable import Variable
from baro.layers import call_context
from baro.layers.layer import Layer
from baro.ops.casting import NoGrad
from baro.ops.convert import as_tensor
from baro.ops.recurrent import ACTIVATIONS
from baro.saving.registry import register_serializable
from baro.saving.serialization import deserialize, serialize


@register_serializable()
class RNN(Layer):
    """Runs `cell` over the timesteps of its input (Keras's generic RNN layer).

    A cell is a layer (or object) with `call(inputs, states, training=None)`
    returning `(output, new_states)` for one timestep, a `state_size` (an int, or
    a list of ints, one per state) and optionally `output_size` and
    `get_initial_state(batch_size)`. Each step records ordinary ops, so any cell
    is differentiable; `LSTM`, `GRU` and `SimpleRNN` run a fused kernel instead.

    With a `mask` (from `Embedding(mask_zero=True)` or `Masking`), a masked
    timestep keeps the previous states and repeats the previous output (zeros
    before the first unmasked step), or outputs zeros if `zero_output_for_mask`.

    Args:
        cell: The RNN cell instance.
        return_sequences: Return the output of every timestep, not only the last
            (default False).
        return_state: Also return the final states: `[output, *states]`
            (default False).
        go_backwards: Process the sequence last step first; the returned
            sequence is in processing order (reversed) (default False).
        stateful: Keep the final states of each batch as the initial states of
            the next (the batch size must be fixed); `reset_states()` zeroes them
            (default False).
        unroll: Accepted for Keras compatibility; has no effect here.
        zero_output_for_mask: Masked steps output zeros (default False).
        **kwargs: Base Layer arguments.

    Call arguments:
        sequences: (batch, timesteps, features).
        initial_state: Optional list of initial state tensors (batch, size).
        mask: Optional bool (batch, timesteps); True marks steps to use.
        training: Passed to the cell (dropout).

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, output_size)`, or `(batch, timesteps, output_size)`
    with `return_sequences`; then the states `(batch, size)` with `return_state`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.rnn import RNN
        >>> from baro.layers.rnn.simple_rnn import SimpleRNNCell
        >>> layer = RNN(SimpleRNNCell(4), return_sequences=True)
        >>> layer(np.ones((2, 3, 5), "float32")).shape
        (2, 3, 4)
    """

    def __init__(self, cell, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs) -> None:
        if isinstance(cell, (list, tuple)):
            raise ValueError(
                f"{type(self).__name__}: stacked cells (a list of cells) are not "
                "supported; stack RNN layers with return_sequences=True instead.")
        if not callable(getattr(cell, "call", None)) or \
                getattr(cell, "state_size", None) is None:
            raise ValueError(
                f"{type(self).__name__}: the cell needs a call(inputs, states) "
                "method and a state_size attribute (an int or a list of ints); "
                f"received cell={cell!r}.")
        super().__init__(**kwargs)
        sizes = cell.state_size
        sizes = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
        if not all(isinstance(s, (int, np.integer)) for s in sizes):
            raise ValueError(
                f"{type(self).__name__}: cell.state_size must be an int or a list "
                f"of ints (one per state), received {cell.state_size!r}.")
        self.cell = cell
        self.state_size = [int(s) for s in sizes]
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        # Stateful states are Variables but not weights (not trained, not saved):
        # set without the attribute tracking of Layer.__setattr__.
        object.__setattr__(self, "_states", None)

    @property
    def states(self):
        """The stored states of a stateful layer (Variables), else None."""
        return self._states

    def _check_input_shape(self, input_shape) -> None:
        """Rank 3 (batch, timesteps, features), and once built, the features
        the cell's kernel was made for."""
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects inputs of shape "
                f"(batch, timesteps, features), received shape {shape}. Add a "
                "time axis: reshape (batch, features) to (batch, 1, features) "
                "for one step, or (batch, timesteps) to (batch, timesteps, 1) "
                "for one feature per step (x[..., None]).")
        # baro's cells only: a user's cell may shape its kernel otherwise.
        ours = type(self.cell).__module__.startswith("baro.layers.rnn")
        kernel = getattr(self.cell, "kernel", None) if ours else None
        if kernel is not None and shape[-1] is not None and \
                len(kernel.shape) == 2 and shape[-1] != kernel.shape[0]:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} was built for "
                f"{kernel.shape[0]} features per step, i.e. inputs of shape "
                f"(batch, timesteps, {kernel.shape[0]}); received shape {shape}. "
                f"Feed data with {kernel.shape[0]} features on the last axis (as "
                "on the first call or the Input), or use a new layer.")

    def build(self, input_shape) -> None:
        self._check_input_shape(input_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._build_for((input_shape[0],) + tuple(input_shape[2:]))
            for weight in self.cell.weights:  # Keras's "lstm/lstm_cell/kernel"
                weight.path = f"{self.name}/{weight.path}"
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r}: stateful=True needs a "
                    "fixed batch size; pass batch_size=... (or batch_shape) to the "
                    "Input, or call the layer on data.")
            self._create_states(input_shape[0])
        self.built = True

    def _create_states(self, batch_size: int) -> None:
        states = [Variable(s, trainable=False, name="rnn_state")
                  for s in self.get_initial_state(batch_size)]
        object.__setattr__(self, "_states", states)

    def get_initial_state(self, batch_size: int) -> list:
        """Zero states (or the cell's `get_initial_state`), one per state."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            states = make(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        dtype = self.cell.dtype if isinstance(self.cell, Layer) else self.dtype
        return [ops.zeros((batch_size, size), dtype) for size in self.state_size]

    def reset_states(self, states=None) -> None:
        """Zeroes the stored states of a stateful layer, or sets them to `states`.

        Raises:
            AttributeError: If the layer is not stateful.
        """
        if not self.stateful:
            raise AttributeError(f"{self.name}: reset_states needs stateful=True.")
        if self._states is None:
            return
        values = [None] * len(self._states) if states is None else \
            (list(states) if isinstance(states, (list, tuple)) else [states])
        for variable, value in zip(self._states, values, strict=True):
            variable.assign(np.zeros(variable.shape) if value is None else value)

    reset_state = reset_states

    # -- calling -------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        self._check_input_shape(sequences.shape)
        batch = sequences.shape[0]
        if initial_state is None and self.stateful:
            if self._states is None:
                self._create_states(batch)
            elif self._states[0].shape[0] != batch:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} is stateful with batch "
                    f"size {self._states[0].shape[0]}, but received a batch of "
                    f"{batch}. Feed batches of one fixed size (drop or pad the "
                    "last partial batch).")
            # Copies: the stored states change in place after the call, while
            # the recorded graph still needs these values.
            initial_state = [Tensor._wrap(s.data.copy()) for s in self._states]
        elif initial_state is None:
            initial_state = self.get_initial_state(batch)
        else:
            initial_state = self._standardize_states(initial_state, batch)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None:
            # Kept a tensor: a compiled step then recomputes it for each batch.
            mask = as_tensor(mask)
            if mask.dtype != np.bool_:
                mask = ops.cast(mask, "bool")
        cell = self.cell
        uses_dropout = isinstance(cell, DropoutRNNCell)
        if uses_dropout:
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
            if training:
                # Drawn once here and reused at every step of this sequence.
                cell.get_dropout_mask(sequences.data[:, 0])
                cell.get_recurrent_dropout_mask(initial_state[0].data)
        try:
            output, states = self._run(sequences, initial_state, mask, training)
        finally:
            if uses_dropout:
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()
        if self.stateful:
            for variable, state in zip(self._states, states, strict=True):
                variable.assign(state.data)
        if self.return_state:
            return [output, *states]
        return output

    def _standardize_states(self, initial_state, batch: int) -> list:
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        states = [as_tensor(s) for s in states]
        expected = [(batch, size) for size in self.state_size]
        if [tuple(s.shape) for s in states] != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: initial_state must be "
                f"{len(expected)} tensor(s) of shapes {expected}, received shapes "
                f"{[tuple(s.shape) for s in states]}.")
        return [s if s.data.dtype == self.dtype else ops.cast(s, self.dtype)
                for s in states]

    def _run(self, sequences, initial_state, mask, training):
        """Steps the cell with ordinary ops; returns (output, final states).

        The backward pass of the recorded graph is iterative, so long sequences
        do not hit Python's recursion limit.
        """
        cell = self.cell
        kwargs = {}
        if isinstance(cell, Layer) and \
                "training" in call_context.accepted_kwargs(type(cell)):
            kwargs["training"] = training
        step = cell if isinstance(cell, Layer) else cell.call
        steps = sequences.shape[1]
        inputs = [ops.squeeze(x, axis=1) for x in ops.split(sequences, steps, axis=1)]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        states = list(initial_state)
        outputs = []
        previous = None
        for t in order:
            output, new_states = step(inputs[t], states, **kwargs)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) \
                else [new_states]
            if mask is not None:
                keep = mask[:, t:t + 1]
                new_states = [ops.where(keep, new, old)
                              for new, old in zip(new_states, states, strict=True)]
                if previous is None or self.zero_output_for_mask:
                    previous = ops.zeros_like(output)
                output = ops.where(keep, output, previous)
                previous = output
            states = new_states
            outputs.append(output)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return output, states

    # -- shapes, masks, config -------------------------------------------------------
    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        batch = input_shape[0]
        output_size = getattr(self.cell, "output_size", None) or self.state_size[0]
        if self.return_sequences:
            output_shape = (batch, input_shape[1], output_size)
        else:
            output_shape = (batch, output_size)
        if self.return_state:
            return [output_shape] + [(batch, size) for size in self.state_size]
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def get_config(self) -> dict:
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialize(self.cell)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects, "layer")
        return cls(cell, **config)

    def _config_with_cell(self) -> dict:
        """LSTM/GRU/SimpleRNN configs: the cell's arguments instead of the cell."""
        config = RNN.get_config(self)
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**config, **cell_config}


class DropoutRNNCell:
    """Mixin for cells with `dropout` and `recurrent_dropout` (Keras's class).

    A mask is drawn once per sequence and reused at every timestep (the RNN
    layer draws it before its loop in training and clears it after). A cell that
    sets `dropout_mask_count = G` draws one mask per gate, as Keras's LSTM and GRU
    cells do when `recurrent_dropout > 0`. Needs `dropout`, `recurrent_dropout`
    and a `seed_generator` (`baro.random.SeedGenerator`).
    """

    dropout_mask_count: int | None = None

    def _create_dropout_mask(self, step_input, rate: float):
        shape = tuple(step_input.shape)
        dtype = np.dtype(step_input.dtype)
        scale = dtype.type(1.0 / (1.0 - rate))

        def draw_mask():
            keep = random_float_mask(shape, dtype, seed=self.seed_generator) >= rate
            return keep * scale

        def draw() -> Tensor:
            # Drawn by an op, so a compiled training step draws anew each batch.
            return NoGrad(draw_mask, "rnn_dropout_mask").apply()

        count = self.dropout_mask_count
        return draw() if count is None else [draw() for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The input mask(s) for this sequence (drawn on first use), or None."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The recurrent-state mask(s) for this sequence, or None."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and \
                self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(
                step_input, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None


def check_rate(owner: str, name: str, rate) -> float:
    """A dropout rate in [0, 1), as a float."""
    if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"{owner}: {name} must be a number in [0, 1), received "
                         f"{name}={rate!r}.")
    return float(rate)


def check_units(owner: str, units) -> int:
    """`units` as a positive int."""
    if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or \
            units < 1:
        raise ValueError(f"{owner}: units must be a positive integer, received "
                         f"units={units!r}.")
    return int(units)


def gate_matmul(x, w, masks):
    """x @ w; with dropout masks, (x * mask) @ w, or per gate block j
    (x * masks[j]) @ w_j for a list of masks (Keras's implementation 1)."""
    if masks is None:
        return x @ w
    if not isinstance(masks, (list, tuple)):
        return (x * masks) @ w
    size = w.shape[1] // len(masks)
    return ops.concatenate([(x * m) @ w[:, j * size:(j + 1) * size]
                            for j, m in enumerate(masks)], axis=-1)


def fused_activation(fn) -> str | None:
    """The name `baro.ops.recurrent` knows activation `fn` by, or None."""
    for name in ACTIVATIONS:
        if fn is getattr(activations, name):
            return name
    return None


def dropout_arrays(cell, training) -> dict:
    """The cell's dropout masks for this sequence (tensors), as the keyword
    arguments of the fused ops (None outside training)."""

    def masks_or_none(masks):
        return masks if training else None

    return {"input_dropout_masks":
                masks_or_none(getattr(cell, "_dropout_mask", None)),
            "recurrent_dropout_masks":
                masks_or_none(getattr(cell, "_recurrent_dropout_mask", None))}


class _CellAttribute:
    """A read-only attribute of the layer forwarded to its cell (`lstm.units`)."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        return getattr(layer.cell, self.name)


def cell_attribute():
    """Declares a layer attribute that reads the cell's attribute of that name."""
    return _CellAttribute()
