"""Conv1D: 1-D (temporal) convolution, with Keras's "causal" padding."""

from __future__ import annotations

from baro.layers.convolutional.base_conv import BaseConv
from baro.saving.registry import register_serializable


@register_serializable()
class Conv1D(BaseConv):
    """1-D convolution layer (temporal convolution).

    outputs[n, t, o] = activation(bias[o] + sum_{dt, c}
    xpad[n, t * stride + dt * dilation, c] * kernel[dt, c, o]), c running over
    the input channels of output channel o's group. The kernel has shape
    (kernel_size, in_channels // groups, filters).

    Args:
        filters: Number of output channels (positive, divisible by `groups`).
        kernel_size: Int or tuple of 1 int, the window length.
        strides: Int or tuple of 1 int (default 1); > 1 excludes
            dilation_rate > 1.
        padding: "valid" (default), "same" (output ceil(n / stride)) or
            "causal": the inputs are padded on the left by dilation_rate *
            (kernel_size - 1), so output[t] never sees inputs[t + 1:] (WaveNet).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 1 int (default 1).
        groups: Channels split into this many groups (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, steps, channels)`, or `(batch, channels, steps)` for
        channels_first.

    Output shape:
        `(batch, new_steps, filters)` (channels_first: `(batch, filters,
        new_steps)`); new_steps = (n - (k - 1) * dilation - 1) // stride + 1
        for "valid", ceil(n / stride) for "same" and "causal".

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.conv1d import Conv1D
        >>> Conv1D(32, 3, activation="relu")(baro.ones((4, 10, 128))).shape
        (4, 8, 32)
        >>> Conv1D(8, 3, padding="causal")(baro.ones((4, 10, 2))).shape
        (4, 10, 8)
    """

    def __init__(self, filters: int, kernel_size, strides=1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(
            1, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, groups=groups,
            activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
            **kwargs)
