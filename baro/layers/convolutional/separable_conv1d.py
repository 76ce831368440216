"""SeparableConv1D: a 1-D depthwise convolution, then a pointwise one."""

from __future__ import annotations

from baro.layers.convolutional.separable_conv2d import BaseSeparableConv
from baro.saving.registry import register_serializable


@register_serializable()
class SeparableConv1D(BaseSeparableConv):
    """1-D depthwise-separable convolution.

    z[n, t, c * M + m] = sum_dt xpad[n, t * stride + dt * dilation, c] *
    depthwise_kernel[dt, c, m], then outputs = activation(z @
    pointwise_kernel[0] + bias), M = depth_multiplier. Weights:
    depthwise_kernel (k, in_channels, M), pointwise_kernel (1, in_channels * M,
    filters), bias (filters,).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int (default 1).
        padding: "valid" (default) or "same".
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 1 int (default 1).
        depth_multiplier: Depthwise output channels per input channel
            (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        depthwise_initializer, pointwise_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        depthwise_regularizer, pointwise_regularizer, bias_regularizer,
            activity_regularizer: Optional.
        depthwise_constraint, pointwise_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, steps, channels)` (channels_first: `(batch, channels, steps)`).

    Output shape:
        `(batch, new_steps, filters)`, new_steps as Conv1D's.

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.separable_conv1d import SeparableConv1D
        >>> layer = SeparableConv1D(4, 3, 2, activation="relu")
        >>> layer(baro.ones((4, 10, 12))).shape, layer.count_params()
        ((4, 4, 4), 88)
    """

    def __init__(self, filters: int, kernel_size, strides=1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, depth_multiplier: int = 1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(
            1, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate,
            depth_multiplier=depth_multiplier, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
