"""Conv1DTranspose: learned 1-D upsampling (the transpose of Conv1D)."""

from __future__ import annotations

from baro.layers.convolutional.base_conv_transpose import BaseConvTranspose
from baro.saving.registry import register_serializable


@register_serializable()
class Conv1DTranspose(BaseConvTranspose):
    """1-D transposed convolution layer.

    outputs = activation(conv_transpose(inputs, kernel) + bias): the input
    gradient of a Conv1D with the same kernel, strides, padding and dilation.
    The kernel has shape (kernel_size, filters, in_channels).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 1 int.
        strides: Int or tuple of 1 int (default 1).
        padding: "valid" (default) or "same".
        output_padding: None (default) or an int (< strides) to choose among
            the possible output lengths.
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 1 int (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, steps, channels)` (channels_first: `(batch, channels, steps)`).

    Output shape:
        `(batch, new_steps, filters)`; with k_eff = (k - 1) * dilation + 1,
        new_steps is n * s + max(k_eff - s, 0) for "valid", n * s for "same",
        (n - 1) * s + k_eff - 2 * pad + output_padding when output_padding is
        given (pad = k_eff // 2 for "same", else 0).

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.conv1d_transpose import Conv1DTranspose
        >>> Conv1DTranspose(32, 3, 2, activation="relu")(
        ...     baro.ones((4, 10, 128))).shape
        (4, 21, 32)
    """

    def __init__(self, filters: int, kernel_size, strides=1,
                 padding: str = "valid", output_padding=None,
                 data_format: str | None = None, dilation_rate=1,
                 activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(
            1, filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
            **kwargs)
