"""TimeDistributed: applies a layer to every timestep of a sequence."""

from __future__ import annotations

from baro import ops
from baro.layers import call_context
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import deserialize, serialize


@register_serializable()
class TimeDistributed(Layer):
    """Applies `layer` to every temporal slice of its input (Keras's wrapper).

    The same weights serve every timestep. The batch and time axes are merged,
    the layer runs once on (batch * timesteps, ...), and the result is split
    back: one call instead of one per step. (Layers whose training behaviour
    depends on the batch, such as BatchNormalization, therefore see statistics
    over all timesteps at once.)

    Args:
        layer: A Layer instance (e.g. `Dense(8)`, `Conv2D(...)`).
        **kwargs: Base Layer arguments.

    Input shape: `(batch, timesteps, ...)`, at least rank 3.

    Output shape: `(batch, timesteps, ...)`, the layer's output per step.

    Example:
        >>> import numpy as np
        >>> from baro.layers.core.dense import Dense
        >>> from baro.layers.rnn.time_distributed import TimeDistributed
        >>> layer = TimeDistributed(Dense(8))
        >>> layer(np.zeros((32, 10, 16), "float32")).shape, layer.count_params()
        ((32, 10, 8), 136)
    """

    def __init__(self, layer, **kwargs) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("TimeDistributed: layer must be a Layer instance, "
                             f"received {layer!r}.")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _step_shape(self, input_shape) -> tuple:
        if input_shape is None or len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r} expects inputs of rank >= 3 "
                f"(batch, timesteps, ...), received shape {input_shape}.")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape) -> None:
        step_shape = self._step_shape(input_shape)
        if not self.layer.built:
            self.layer._build_for(step_shape)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[:2]
        if mask is not None and tuple(mask.shape[:2]) != (batch, steps):
            raise ValueError(
                f"TimeDistributed {self.name!r}: the mask must have shape "
                f"({batch}, {steps}, ...), received {tuple(mask.shape)}.")
        kwargs = {}
        accepted = call_context.accepted_kwargs(type(self.layer))
        if "training" in accepted:
            kwargs["training"] = training
        if "mask" in accepted and mask is not None:
            kwargs["mask"] = ops.reshape(mask, (batch * steps,) + mask.shape[2:])
        flat = ops.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        outputs = self.layer(flat, **kwargs)
        return ops.reshape(outputs, (batch, steps) + tuple(outputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        step = self.layer.compute_output_shape(self._step_shape(input_shape))
        return (step[0], input_shape[1]) + tuple(step[1:])

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects, "layer")
        return cls(layer, **config)
