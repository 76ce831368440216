"""DepthwiseConv1D: one temporal filter set per input channel."""

from __future__ import annotations

from baro.layers.convolutional.depthwise_conv2d import BaseDepthwiseConv
from baro.saving.registry import register_serializable


@register_serializable()
class DepthwiseConv1D(BaseDepthwiseConv):
    """1-D depthwise convolution: each input channel gets its own filters.

    outputs[n, t, c * M + m] = activation(bias[c * M + m] + sum_dt
    xpad[n, t * stride + dt * dilation, c] * kernel[dt, c, m]),
    M = depth_multiplier. The kernel has shape (kernel_size, in_channels,
    depth_multiplier).

    Args:
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int (default 1).
        padding: "valid" (default) or "same".
        depth_multiplier: Output channels per input channel (default 1).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 1 int (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        depthwise_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        depthwise_regularizer, bias_regularizer, activity_regularizer: Optional.
        depthwise_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, steps, channels)` (channels_first: `(batch, channels, steps)`).

    Output shape:
        `(batch, new_steps, channels * depth_multiplier)`, new_steps as Conv1D's.

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
        >>> DepthwiseConv1D(3, strides=2, depth_multiplier=3)(
        ...     baro.ones((4, 10, 12))).shape
        (4, 4, 36)
    """

    def __init__(self, kernel_size, strides=1, padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(
            1, kernel_size, strides=strides, padding=padding,
            depth_multiplier=depth_multiplier, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
