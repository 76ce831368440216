"""Conv2D: 2-D convolution over images."""

from __future__ import annotations

from baro.layers.convolutional.base_conv import BaseConv
from baro.saving.registry import register_serializable


@register_serializable()
class Conv2D(BaseConv):
    """2-D convolution layer (spatial convolution over images).

    outputs[n, i, j, o] = activation(bias[o] + sum_{di, dj, c}
    xpad[n, i * sh + di * dh, j * sw + dj * dw, c] * kernel[di, dj, c, o]),
    c running over the input channels of output channel o's group (a
    cross-correlation, as in Keras). The kernel has shape
    (kernel_h, kernel_w, in_channels // groups, filters).

    Args:
        filters: Number of output channels (positive, divisible by `groups`).
        kernel_size: Int or tuple of 2 ints, the window (height, width).
        strides: Int or tuple of 2 ints (default (1, 1)); > 1 excludes
            dilation_rate > 1.
        padding: "valid" (default: no padding) or "same" (output size
            ceil(n / stride); the odd padding pixel goes at the end, as TF).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 2 ints (default (1, 1)).
        groups: Channels split into this many groups, each convolved with
            filters // groups of the kernels (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, height, width, channels)`, or `(batch, channels, height,
        width)` for channels_first.

    Output shape:
        `(batch, new_height, new_width, filters)` (channels_first:
        `(batch, filters, new_height, new_width)`); per axis new = (n - (k - 1) *
        dilation - 1) // stride + 1 for "valid", ceil(n / stride) for "same".

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.conv2d import Conv2D
        >>> layer = Conv2D(32, 3, activation="relu")
        >>> layer(baro.ones((2, 28, 28, 1))).shape, layer.count_params()
        ((2, 26, 26, 32), 320)
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate=(1, 1), groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(
            2, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, groups=groups,
            activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
            **kwargs)
