"""BatchNormalization: normalizes each feature with batch or moving statistics."""

from __future__ import annotations

from baro import constraints, initializers, ops, regularizers
from baro.backend.config import epsilon as backend_epsilon
from baro.core.grad_mode import no_grad
from baro.layers.layer import Layer
from baro.ops.normalization import batch_normalization, standardize
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


@register_serializable()
class BatchNormalization(Layer):
    """Normalizes each feature (the `axis` entries) over the batch.

    Training (`training=True`, e.g. inside `fit`), with the mean and population
    variance of the batch over every axis except `axis`:

        y = gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta
        moving_mean = moving_mean * momentum + mean(x) * (1 - momentum)
        moving_variance = moving_variance * momentum + var(x) * (1 - momentum)

    Inference (`training` False or None) uses `moving_mean` and
    `moving_variance` in place of the batch statistics. As in Keras 3, a frozen
    layer (`trainable=False`) always runs in inference mode and leaves its
    moving statistics alone. Gradients in training flow through the batch
    statistics (a fused kernel, `baro.ops.normalization.standardize`).

    With a mask (shape of the inputs minus the feature axis, e.g. from
    `Embedding(mask_zero=True)`), masked positions are left out of the batch
    statistics.

    Args:
        axis: The feature axis (default -1; 1 after a channels_first conv).
        momentum: Weight of the old value in the moving averages, in [0, 1]
            (default 0.99).
        epsilon: Added to the variance (default 1e-3).
        center: Add the learned offset `beta` (default True).
        scale: Multiply by the learned `gamma` (default True).
        beta_initializer, gamma_initializer: Defaults "zeros", "ones".
        moving_mean_initializer, moving_variance_initializer: Defaults "zeros",
            "ones".
        beta_regularizer, gamma_regularizer: Optional.
        beta_constraint, gamma_constraint: Optional.
        synchronized: Only False is supported (one device: nothing to sync).
        **kwargs: Base Layer arguments (`name`, `dtype`, ...).

    Weights, in Keras order: `gamma`, `beta` (trainable, each `(features,)`),
    `moving_mean`, `moving_variance` (non-trainable): 4 * features parameters.

    Input shape: any, with a known size on `axis`. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.normalization.batch_normalization import (
        ...     BatchNormalization)
        >>> layer = BatchNormalization(epsilon=0.0)
        >>> y = layer(np.array([[1.0], [3.0]]), training=True)
        >>> y.numpy().ravel(), layer.moving_mean.numpy(), layer.count_params()
        (array([-1.,  1.], dtype=float32), array([0.02], dtype=float32), 4)
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99,
                 epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None,
                 synchronized: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                "BatchNormalization: axis must be one int (the feature axis), "
                f"received axis={axis!r}. To normalize over several axes use "
                "LayerNormalization.")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(
                "BatchNormalization: `momentum` must be in [0, 1], received "
                f"momentum={momentum!r}.")
        if not epsilon >= 0:
            raise ValueError(
                f"BatchNormalization: epsilon must be >= 0, received {epsilon!r}.")
        if synchronized:
            raise ValueError(
                "BatchNormalization: synchronized=True synchronizes statistics "
                "across devices, which baro (one device) does not have. Use "
                "synchronized=False.")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = False
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(
            moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(
                f"BatchNormalization {self.name!r}: axis={self.axis} is out of "
                f"range for inputs of shape {tuple(input_shape)}.")
        features = input_shape[self.axis]
        if features is None:
            raise ValueError(
                f"BatchNormalization {self.name!r}: axis {self.axis} of the input "
                f"must have a known size, received shape {tuple(input_shape)}.")
        self._ndim = ndim
        self._features_axis = self.axis % ndim
        shape = (features,)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                name="gamma")
        if self.center:
            self.beta = self.add_weight(
                shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                name="beta")
        self.moving_mean = self.add_weight(
            shape=shape, initializer=self.moving_mean_initializer, trainable=False,
            name="moving_mean")
        self.moving_variance = self.add_weight(
            shape=shape, initializer=self.moving_variance_initializer,
            trainable=False, name="moving_variance")
        self.built = True

    def call(self, inputs, training=None, mask=None):
        self._check_input(inputs, mask)
        axis = self._features_axis
        reduce_axes = tuple(i for i in range(inputs.ndim) if i != axis)
        if training and self.trainable:
            if mask is None:
                outputs, mean, var = standardize(
                    inputs, reduce_axes, self.epsilon, scale=self._laid_out(self.gamma),
                    offset=self._laid_out(self.beta))
            else:
                mean, var = self._masked_moments(inputs, mask, reduce_axes)
                outputs = batch_normalization(
                    inputs, mean, var, axis, self.beta, self.gamma, self.epsilon)
            self._update_moving(mean, var)
            return outputs
        return batch_normalization(inputs, self.moving_mean, self.moving_variance,
                                   axis, self.beta, self.gamma, self.epsilon)

    def _check_input(self, inputs, mask) -> None:
        axis = self._features_axis
        if inputs.ndim != self._ndim or inputs.shape[axis] != self.moving_mean.size:
            raise ValueError(
                f"BatchNormalization {self.name!r} was built for inputs of rank "
                f"{self._ndim} with {self.moving_mean.size} features on axis "
                f"{self.axis}, received shape {tuple(inputs.shape)}.")
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"BatchNormalization {self.name!r}: the mask must have one "
                f"dimension less than the inputs, received mask shape "
                f"{tuple(mask.shape)} for inputs of shape {tuple(inputs.shape)}.")

    def _laid_out(self, weight):
        """A (features,) weight reshaped to broadcast along the feature axis."""
        if weight is None or self._features_axis == self._ndim - 1:
            return weight
        shape = [1] * self._ndim
        shape[self._features_axis] = weight.shape[0]
        return ops.reshape(weight, shape)

    def _masked_moments(self, inputs, mask, reduce_axes):
        # Keras's weighted moments: the mask gains a size-1 feature axis, and
        # backend epsilon keeps a fully masked batch finite (mean = var = 0).
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), self._features_axis)
        total = ops.sum(weights, axis=reduce_axes, keepdims=True)
        weighted = weights * inputs
        eps = backend_epsilon()
        mean = ops.sum(weighted, axis=reduce_axes, keepdims=True) / (total + eps)
        squared = ops.square(weighted - mean)
        var = ops.sum(weights * squared, axis=reduce_axes, keepdims=True) / \
            (total + eps)
        return ops.reshape(mean, (-1,)), ops.reshape(var, (-1,))

    def _update_moving(self, mean, var) -> None:
        with no_grad():
            m = self.momentum
            mean = ops.reshape(mean, (-1,))
            var = ops.reshape(var, (-1,))
            self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + var * (1.0 - m))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "moving_mean_initializer": serialize(self.moving_mean_initializer),
            "moving_variance_initializer": serialize(
                self.moving_variance_initializer),
            "beta_regularizer": serialize(self.beta_regularizer),
            "gamma_regularizer": serialize(self.gamma_regularizer),
            "beta_constraint": serialize(self.beta_constraint),
            "gamma_constraint": serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
        }
