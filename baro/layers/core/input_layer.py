"""InputLayer and `Input()`: where a functional graph starts."""

from __future__ import annotations

from baro.backend.config import floatx, standardize_dtype
from baro.layers.layer import Layer
from baro.layers.symbolic import Node, SymbolicTensor
from baro.saving.registry import register_serializable


@register_serializable()
class InputLayer(Layer):
    """The layer behind `Input`: it holds the model's input placeholder.

    Args:
        shape: Shape without the batch axis, e.g. `(784,)`; None for unknown sizes.
        batch_size: Optional fixed batch size.
        dtype: Input dtype (default `floatx()`).
        batch_shape: Full shape including the batch axis (instead of shape).
        name: Layer name (default "input_layer", uniquified).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, name=None, **kwargs) -> None:
        legacy = kwargs.pop("batch_input_shape", None)
        kwargs.pop("input_shape", None)
        batch_shape = batch_shape if batch_shape is not None else legacy
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("InputLayer: sparse inputs are not supported by baro.")
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "Input needs a shape, e.g. Input(shape=(784,)) for vectors of "
                    "784 features (the batch axis is left out).")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(None if s is None else int(s) for s in batch_shape)
        self._dtype = standardize_dtype(dtype) if dtype is not None else floatx()
        self.built = True
        node = Node(self, (), {}, None)
        self.output_tensor = SymbolicTensor(self.batch_shape, self._dtype,
                                            name=self.name, node=node)
        node.outputs = self.output_tensor
        self._inbound_nodes.append(node)

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self._dtype,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
          name=None, tensor=None) -> SymbolicTensor:
    """A symbolic input for a functional model (`keras.Input`).

    Example:
        >>> import baro
        >>> x = baro.keras.Input(shape=(784,))
        >>> x.shape
        (None, 784)
    """
    if tensor is not None:
        raise ValueError("Input(tensor=...) is not supported; pass shape and dtype.")
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       sparse=sparse, batch_shape=batch_shape, name=name)
    return layer.output_tensor
