"""Sequential: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from baro.layers.core.input_layer import InputLayer
from baro.layers.layer import Layer
from baro.layers.symbolic import SymbolicTensor
from baro.models.functional import fit_to_input
from baro.models.model import Model
from baro.saving.registry import register_serializable
from baro.saving.serialization import deserialize, serialize


@register_serializable()
class Sequential(Model):
    """A linear stack of layers (`keras.Sequential`).

    The model is built, and `summary()` works, as soon as the input shape is
    known: from an `Input`/`InputLayer` first, or the first layer's
    `input_shape` / `input_dim`. Otherwise it builds on its first call or `fit`.

    Args:
        layers: Optional list of layers to add.
        trainable: Whether the model's weights are trainable.
        name: Model name.

    Example:
        >>> from baro.keras import Sequential, layers
        >>> model = Sequential([layers.Dense(12, input_dim=8, activation="relu"),
        ...                     layers.Dense(1, activation="sigmoid")])
        >>> model.count_params()
        121
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None,
                 **kwargs) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack: list[Layer] = []
        self._input_layer: InputLayer | None = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    @property
    def layers(self) -> list:
        """The layers, without the InputLayer (as Keras)."""
        return list(self._stack)

    def add(self, layer, rebuild: bool = True) -> None:
        """Appends a layer (or an `Input` tensor, which sets the input shape).

        Raises:
            TypeError: If `layer` is not a Layer.
            ValueError: If the name is already used in this model.
        """
        if isinstance(layer, SymbolicTensor):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError(
                    "Sequential: an Input can only be the first layer.")
            self._input_layer = layer
            self._maybe_build()
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer, received {layer!r} of type "
                f"{type(layer).__name__}.")
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(
                f"Sequential: all layers need unique names; {layer.name!r} is "
                "already in the model.")
        self._stack.append(layer)
        self._track(layer)
        if rebuild:
            self._maybe_build()

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes and returns the last layer.

        Raises:
            TypeError: If the model has no layers.
        """
        if not self._stack:
            raise TypeError("There are no layers in the model to pop.")
        layer = self._stack.pop()
        self._layers = [x for x in self._layers if x is not layer]
        self.built = False
        if rebuild:
            self._maybe_build()
        return layer

    def _known_input_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._stack and self._stack[0]._input_shape_arg is not None:
            return self._stack[0]._input_shape_arg
        return None

    def _maybe_build(self) -> None:
        shape = self._known_input_shape()
        if shape is not None and self._stack:
            self.build(shape)

    def build(self, input_shape=None) -> None:
        """Builds every layer by running symbolic tensors of `input_shape`."""
        if input_shape is None:
            input_shape = self._known_input_shape()
            if input_shape is None:
                raise ValueError("Sequential.build needs an input shape.")
        if isinstance(input_shape, list) and len(input_shape) == 1 and \
                isinstance(input_shape[0], (tuple, list)):
            input_shape = input_shape[0]  # called on a one-element list
        if self._input_layer is None or \
                self._input_layer.batch_shape != tuple(input_shape):
            self._input_layer = InputLayer(batch_shape=tuple(input_shape),
                                           dtype=self._stack[0].dtype
                                           if self._stack else None)
        x = self._input_layer.output_tensor
        for layer in self._stack:
            x = layer(x)
        self._symbolic_output = x
        self._build_shapes_arg = tuple(input_shape)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if not self._stack:
            raise ValueError(f"Sequential model {self.name!r} has no layers; add "
                             "some with model.add(...).")
        # Keras accepts a one-element list for a single-input model.
        x = inputs[0] if isinstance(inputs, (list, tuple)) and len(inputs) == 1 \
            else inputs
        if self._input_layer is not None:
            # Keras 3 checks a Sequential's input rank only (sizes are the
            # layers' business: an RNN may see other lengths).
            x = fit_to_input(self.name, self._input_layer.name,
                             self._input_layer.batch_shape, x, check_sizes=False)
        for layer in self._stack:
            x = layer(x)
        return x

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def input_shape(self):
        shape = self._known_input_shape()
        return shape if shape is not None else super().input_shape

    @property
    def output_shape(self):
        return self._stack[-1].output_shape

    @property
    def inputs(self) -> list:
        """The symbolic input, once built (so `Model(seq.inputs, ...)` works)."""
        self._require_built("inputs")
        return [self._input_layer.output_tensor]

    @property
    def outputs(self) -> list:
        """The symbolic output, once built."""
        self._require_built("outputs")
        return [self._symbolic_output]

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        return self.outputs[0]

    def _require_built(self, what: str) -> None:
        if not self.built or self._input_layer is None:
            raise AttributeError(
                f"Sequential model {self.name!r} has no {what} yet: it is built once "
                "its input shape is known (an Input first layer, input_shape=, or "
                "a first call).")

    def get_config(self) -> dict:
        layers = [serialize(layer) for layer in self._stack]
        if self._input_layer is not None:
            layers.insert(0, serialize(self._input_layer))
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        layers = [deserialize(spec, custom_objects, "layer")
                  for spec in config.get("layers", [])]
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer in layers:
            model.add(layer, rebuild=False)
        model._maybe_build()
        return model
