"""Conv2DTranspose: learned 2-D upsampling (the transpose of Conv2D)."""

from __future__ import annotations

from baro.layers.convolutional.base_conv_transpose import BaseConvTranspose
from baro.saving.registry import register_serializable


@register_serializable()
class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution layer (sometimes called deconvolution).

    outputs = activation(conv_transpose(inputs, kernel) + bias), where
    conv_transpose is the input gradient of a Conv2D with the same kernel,
    strides, padding and dilation: each input pixel scatters kernel[:, :, :, c]
    times its value into the output, stride apart. The kernel has shape
    (kernel_h, kernel_w, filters, in_channels).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints (default (1, 1)).
        padding: "valid" (default) or "same".
        output_padding: None (default) or int / tuple of 2 ints, each < its
            stride, to choose among the possible output sizes.
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 2 ints (default (1, 1)).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, height, width, channels)` (channels_first: channels second).

    Output shape:
        `(batch, new_height, new_width, filters)`; per axis, with k_eff =
        (k - 1) * dilation + 1: n * s + max(k_eff - s, 0) for "valid", n * s
        for "same", (n - 1) * s + k_eff - 2 * pad + output_padding when
        output_padding is given (pad = k_eff // 2 for "same", else 0).

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.conv2d_transpose import Conv2DTranspose
        >>> layer = Conv2DTranspose(16, 3, strides=2, padding="same")
        >>> layer(baro.ones((2, 7, 7, 8))).shape, layer.count_params()
        ((2, 14, 14, 16), 1168)
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1),
                 padding: str = "valid", output_padding=None,
                 data_format: str | None = None, dilation_rate=(1, 1),
                 activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(
            2, filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
            **kwargs)
