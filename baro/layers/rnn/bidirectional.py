"""Bidirectional: runs an RNN forwards and backwards and merges the outputs."""

from __future__ import annotations

from baro import ops
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import deserialize, serialize

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _renamed(layer: Layer, prefix: str, **overrides) -> Layer:
    """A fresh copy of `layer` from its config (new weights), named prefix_name."""
    config = serialize(layer)
    name = layer.name.removeprefix(prefix)
    config["config"] = {**config["config"], **overrides, "name": prefix + name}
    return deserialize(config, family="layer")


@register_serializable()
class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs (Keras's `Bidirectional`).

    Builds a forward copy of `layer` and a backward copy with `go_backwards`
    flipped (or uses `backward_layer`), runs both on the input and merges their
    outputs; the backward output sequence is reversed back to input order first.
    Both copies get fresh weights, so the parameter count is twice the layer's.
    With `return_sequences`, masked timesteps output zeros (as Keras).

    Args:
        layer: An `RNN` instance (LSTM, GRU, SimpleRNN, RNN(cell), ...).
        merge_mode: "concat" (default), "sum", "mul", "ave", or None to return
            `[forward_output, backward_output]`.
        backward_layer: Optional RNN for the backward direction; it must match
            `layer`'s return_sequences, return_state and stateful, and have the
            opposite go_backwards.
        **kwargs: Base Layer arguments.

    Call arguments:
        sequences: (batch, timesteps, features).
        initial_state: Optional list: the forward layer's states, then the
            backward layer's.
        mask, training: Passed to both layers.

    Output shape: the layer's output shape with the last axis doubled for
    "concat"; with `return_state`, the merged output(s) then the forward and the
    backward states.

    Example:
        >>> import numpy as np
        >>> from baro.layers.rnn.bidirectional import Bidirectional
        >>> from baro.layers.rnn.lstm import LSTM
        >>> layer = Bidirectional(LSTM(4, return_sequences=True))
        >>> layer(np.zeros((2, 5, 3), "float32")).shape, layer.count_params()
        ((2, 5, 8), 256)
    """

    def __init__(self, layer, merge_mode="concat", backward_layer=None,
                 **kwargs) -> None:
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(
                "Bidirectional: layer must be an RNN layer instance (such as "
                f"LSTM(...) or GRU(...)), received {layer!r}.")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("Bidirectional: backward_layer must be a Layer "
                             f"instance, received {backward_layer!r}.")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, "
                f"received merge_mode={merge_mode!r}.")
        super().__init__(**kwargs)
        self.forward_layer = _renamed(layer, "forward_")
        if backward_layer is None:
            backward_layer = _renamed(layer, "backward_",
                                      go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == backward_layer.go_backwards:
            raise ValueError(
                "Bidirectional: the forward and backward layers must have "
                "different go_backwards values, both have "
                f"{backward_layer.go_backwards}.")
        for attribute in ("stateful", "return_sequences", "return_state"):
            ours = getattr(self.forward_layer, attribute)
            theirs = getattr(backward_layer, attribute)
            if ours != theirs:
                raise ValueError(
                    f"Bidirectional: forward and backward layers must have the "
                    f"same {attribute}, received {ours} and {theirs}.")
        for rnn in (self.forward_layer, backward_layer):
            # Zeros at masked steps, so the merged sequence is clean (Keras).
            if hasattr(rnn, "zero_output_for_mask"):
                rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def build(self, input_shape) -> None:
        for rnn in (self.forward_layer, self.backward_layer):
            if not rnn.built:
                rnn._build_for(tuple(input_shape))
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state,
                                    mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output = [ops.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            output = [y + y_rev]
        elif self.merge_mode == "ave":
            output = [(y + y_rev) * 0.5]
        elif self.merge_mode == "mul":
            output = [y * y_rev]
        else:
            output = [y, y_rev]
        if len(output) == 1 and not states:
            return output[0]
        return output + states

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            output = [tuple(shape[:-1]) + (shape[-1] * 2,)]
        elif self.merge_mode is None:
            output = [tuple(shape), tuple(shape)]
        else:
            output = [tuple(shape)]
        if len(output) == 1 and not states:
            return output[0]
        return output + states + states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            masks += [None] * 2 * len(self.forward_layer.state_size)
        return masks if len(masks) > 1 else masks[0]

    @property
    def states(self):
        """The stored states of both stateful layers, else None."""
        if self.forward_layer.states and self.backward_layer.states:
            return list(self.forward_layer.states) + list(self.backward_layer.states)
        return None

    def reset_states(self) -> None:
        """Zeroes both layers' stored states (stateful layers only).

        Raises:
            AttributeError: If the layers are not stateful.
        """
        if not self.stateful:
            raise AttributeError("Bidirectional.reset_states needs stateful "
                                 "layers.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize(self.forward_layer),
                "backward_layer": serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects, "layer")
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize(backward, custom_objects, "layer")
        return cls(**config)
