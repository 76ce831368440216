"""LayerNormalization: normalizes each sample over its feature axes."""

from __future__ import annotations

import warnings

import numpy as np

from baro import constraints, initializers, ops, regularizers
from baro.layers.layer import Layer
from baro.ops.normalization import standardize
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class LayerNormalization(Layer):
    """Normalizes each sample over `axis`, independently of the batch (Ba et
    al., 2016).

    For each sample, with mean and population variance over the `axis` entries:

        y = gamma * (x - mean) / sqrt(var + epsilon) + beta

    `gamma` and `beta` span the `axis` sizes and broadcast over the rest. The
    same in training and inference.

    Args:
        axis: An int or a list of ints, the axes to normalize over (default -1).
        epsilon: Added to the variance (default 1e-3; PyTorch uses 1e-5).
        center: Add the learned offset `beta` (default True).
        scale: Multiply by the learned `gamma` (default True).
        beta_initializer, gamma_initializer: Defaults "zeros", "ones".
        beta_regularizer, gamma_regularizer: Optional.
        beta_constraint, gamma_constraint: Optional.
        **kwargs: Base Layer arguments. Keras's deprecated `rms_scaling=True`
            is accepted with Keras's warning and meaning
            (`y = gamma * x / sqrt(var + epsilon)`, no `beta`).

    Weights: `gamma`, `beta`, each of shape `tuple(input_shape[a] for a in axis)`.

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.normalization.layer_normalization import (
        ...     LayerNormalization)
        >>> layer = LayerNormalization(epsilon=0.0)
        >>> layer(np.array([[1.0, 3.0]])).numpy(), layer.count_params()
        (array([[-1.,  1.]], dtype=float32), 4)
    """

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs) -> None:
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn(
                "LayerNormalization: rms_scaling=True is deprecated in Keras 3; it "
                "scales by the variance, not the root mean square.", stacklevel=2)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = int(axis)
        else:
            raise TypeError(
                "LayerNormalization: axis must be an int or a list/tuple of ints, "
                f"received axis={axis!r}.")
        if not epsilon >= 0:
            raise ValueError(
                f"LayerNormalization: epsilon must be >= 0, received {epsilon!r}.")
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _axes(self, ndim: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"LayerNormalization {self.name!r}: axis {a} is out of range "
                    f"for inputs of rank {ndim} (axis={self.axis}).")
        return [a % ndim for a in axes]

    def build(self, input_shape) -> None:
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if any(s is None for s in shape):
            raise ValueError(
                f"LayerNormalization {self.name!r}: the normalized axes {self.axis} "
                f"must have known sizes, received input shape {tuple(input_shape)}.")
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                name="gamma")
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                name="beta")
        self.built = True

    def call(self, inputs):
        axes = self._axes(inputs.ndim)
        if self.rms_scaling:
            var = ops.var(inputs, axis=tuple(axes), keepdims=True)
            return inputs * ops.rsqrt(var + self.epsilon) * self._broadcast(
                self.gamma, axes, inputs)
        gamma = beta = None
        if self.gamma is not None:
            gamma = self._broadcast(self.gamma, axes, inputs)
        if self.beta is not None:
            beta = self._broadcast(self.beta, axes, inputs)
        return standardize(inputs, axes, self.epsilon, scale=gamma, offset=beta)[0]

    @staticmethod
    def _broadcast(weight, axes, inputs):
        """The weight (axes in `axis` order) laid out to broadcast on `inputs`."""
        order = sorted(range(len(axes)), key=lambda i: axes[i])
        if order != list(range(len(axes))):
            weight = ops.transpose(weight, order)
        if sorted(axes) == list(range(inputs.ndim - len(axes), inputs.ndim)):
            return weight  # trailing axes: NumPy broadcasting lines them up
        shape = [1] * inputs.ndim
        for a in axes:
            shape[a] = inputs.shape[a]
        return ops.reshape(weight, shape)

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
        }
