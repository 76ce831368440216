"""GroupNormalization: normalizes groups of channels within each sample."""

from __future__ import annotations

import numpy as np

from baro import constraints, initializers, ops, regularizers
from baro.layers.layer import Layer
from baro.ops.normalization import standardize
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class GroupNormalization(Layer):
    """Splits the channels into `groups` and normalizes each group of each
    sample over its channels and all other non-batch axes (Wu & He, 2018).

    With x of shape (batch, ..., channels) viewed as (batch, ..., groups,
    channels // groups), and the mean and population variance taken over every
    axis except the batch and group axes:

        y = gamma * (x - mean) / sqrt(var + epsilon) + beta

    `gamma` and `beta` are per channel. `groups=1` normalizes each sample over
    all its values (with per-channel affine weights, unlike LayerNormalization
    over the same axes); `groups=-1` (one group per channel) is instance
    normalization. The same in training and inference.

    Args:
        groups: Number of groups, dividing the channel count (default 32; -1
            for one per channel).
        axis: The channel axis, an int (default -1; 1 for channels_first).
        epsilon: Added to the variance (default 1e-3; PyTorch uses 1e-5).
        center: Add the learned offset `beta` (default True).
        scale: Multiply by the learned `gamma` (default True).
        beta_initializer, gamma_initializer: Defaults "zeros", "ones".
        beta_regularizer, gamma_regularizer: Optional.
        beta_constraint, gamma_constraint: Optional.
        **kwargs: Base Layer arguments.

    Weights: `gamma`, `beta`, each `(channels,)`.

    Input shape: (batch, ..., channels) with a known channel count. Output
    shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.normalization.group_normalization import (
        ...     GroupNormalization)
        >>> layer = GroupNormalization(groups=2, epsilon=0.0)
        >>> layer(np.array([[1.0, 3.0, 5.0, 9.0]])).numpy(), layer.count_params()
        (array([[-1.,  1., -1.,  1.]], dtype=float32), 8)
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) \
                or not (groups >= 1 or groups == -1):
            raise ValueError(
                "GroupNormalization: groups must be a positive int (or -1 for one "
                f"group per channel), received groups={groups!r}.")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(
                "GroupNormalization: axis must be one int (the channel axis), "
                f"received axis={axis!r}.")
        if not epsilon >= 0:
            raise ValueError(
                f"GroupNormalization: epsilon must be >= 0, received {epsilon!r}.")
        self.groups = int(groups)
        self.axis = int(axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _channel_axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(
                f"GroupNormalization {self.name!r}: axis={self.axis} must name a "
                f"non-batch axis of inputs of rank {ndim}.")
        return self.axis % ndim

    def build(self, input_shape) -> None:
        channels = input_shape[self._channel_axis(len(input_shape))]
        if channels is None:
            raise ValueError(
                f"GroupNormalization {self.name!r}: axis {self.axis} must have a "
                f"known size, received input shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups:
            raise ValueError(
                f"GroupNormalization {self.name!r}: number of groups "
                f"({self.groups}) cannot be more than the number of channels "
                f"({channels}). Lower `groups`.")
        if channels % self.groups:
            raise ValueError(
                f"GroupNormalization {self.name!r}: the number of channels "
                f"({channels}) must be a multiple of the number of groups "
                f"({self.groups}).")
        self._channels = channels
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                shape=(channels,), initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                name="gamma")
        if self.center:
            self.beta = self.add_weight(
                shape=(channels,), initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                name="beta")
        self.built = True

    def call(self, inputs):
        axis = self._channel_axis(inputs.ndim)
        shape = inputs.shape
        channels = shape[axis]
        if channels != self._channels:
            raise ValueError(
                f"GroupNormalization {self.name!r} was built for {self._channels} "
                f"channels on axis {self.axis}, received input shape {shape}.")
        grouped = shape[:axis] + (self.groups, channels // self.groups) + \
            shape[axis + 1:]
        # Statistics over everything but the batch axis and the group axis; the
        # per-channel weights take the grouped layout (channel c = group g,
        # member j with c = g * channels // groups + j).
        reduce_axes = tuple(i for i in range(1, len(grouped)) if i != axis)
        weight_shape = [1] * len(grouped)
        weight_shape[axis:axis + 2] = [self.groups, channels // self.groups]
        gamma = beta = None
        if self.gamma is not None:
            gamma = ops.reshape(self.gamma, weight_shape)
        if self.beta is not None:
            beta = ops.reshape(self.beta, weight_shape)
        y = standardize(ops.reshape(inputs, grouped), reduce_axes, self.epsilon,
                        scale=gamma, offset=beta)[0]
        return ops.reshape(y, shape)

    def compute_output_shape(self, input_shape):
        self._channel_axis(len(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
        }
