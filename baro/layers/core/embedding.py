"""Embedding: turns integer indices into rows of a trainable table."""

from __future__ import annotations

import warnings

import numpy as np

from baro import constraints, initializers, ops, regularizers
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class Embedding(Layer):
    """Maps each integer index in [0, input_dim) to a trainable vector:
    `output[..., :] = embeddings[inputs[...]]`.

    The gradient of a lookup is scatter-added into the rows used (repeated
    indices accumulate). With `mask_zero=True`, index 0 is padding: the layer
    emits the mask `inputs != 0`, which RNN layers downstream use to skip those
    steps (so the vocabulary needs `input_dim = vocabulary size + 1`).

    Args:
        input_dim: Vocabulary size, the largest index + 1 (positive int).
        output_dim: Size of each vector (positive int).
        embeddings_initializer: Default "uniform" (U[-0.05, 0.05]).
        embeddings_regularizer: Optional.
        embeddings_constraint: Optional.
        mask_zero: Treat index 0 as padding and emit a mask (default False).
        weights: Optional initial table (input_dim, output_dim).
        **kwargs: Base Layer arguments; Keras 2's `input_length` is accepted and
            ignored (with a warning), as in Keras 3.

    Input shape: integer tensor `(batch, ...)` (floats are cast to int32).

    Output shape: `(batch, ..., output_dim)`.

    Example:
        >>> import numpy as np
        >>> from baro.layers.core.embedding import Embedding
        >>> layer = Embedding(1000, 64, mask_zero=True)
        >>> y = layer(np.array([[4, 20, 0]]))
        >>> y.shape, y._keras_mask.numpy().tolist()
        ((1, 3, 64), [[True, True, False]])
    """

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero: bool = False, weights=None,
                 **kwargs) -> None:
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Embedding: the argument `input_length` is deprecated "
                          "and ignored; remove it.", stacklevel=2)
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) \
                    or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, "
                                 f"received {name}={value!r}.")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        # Indices are not cast to the float dtype.
        self.autocast = False
        if weights is not None:
            self.build(None)
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint, name="embeddings")
        self.built = True

    def call(self, inputs):
        if inputs.data.dtype.kind not in "iu":
            inputs = ops.cast(inputs, "int32")
        indices = inputs.data
        if indices.size and (indices.min() < 0 or indices.max() >= self.input_dim):
            raise ValueError(
                f"Embedding {self.name!r}: indices must lie in [0, "
                f"{self.input_dim}) (input_dim={self.input_dim}), received values "
                f"from {int(indices.min())} to {int(indices.max())}. Raise "
                "input_dim to the vocabulary size (+1 with mask_zero).")
        return ops.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialize(self.embeddings_initializer),
            "embeddings_regularizer": serialize(self.embeddings_regularizer),
            "embeddings_constraint": serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
