"""DepthwiseConv2D: one spatial filter set per input channel (and their base)."""

from __future__ import annotations

from baro import activations, constraints, initializers, ops, regularizers
from baro.layers.convolutional.base_conv import (
    apply_conv,
    channel_axis_size,
    check_input_channels,
    check_positive_int,
    check_strides_dilation,
    conv_output_length,
    spatial_axes,
    spatial_output_shape,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


class BaseDepthwiseConv(Layer):
    """Abstract N-D depthwise convolution (the base of DepthwiseConv1D/2D).

    Each input channel c is convolved with its own `depth_multiplier` kernels;
    output channel c * depth_multiplier + m is
    bias + sum_t xpad[..., p * s + t * d, c] * kernel[t, c, m]: a grouped
    convolution with one group per channel, so channels never mix.

    Args:
        rank: Number of spatial axes (1 or 2).
        kernel_size: Int or tuple of `rank` ints.
        strides: Int or tuple (default 1); > 1 excludes dilation_rate > 1.
        padding: "valid" (default) or "same".
        depth_multiplier: Output channels per input channel (default 1).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        depthwise_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        depthwise_regularizer, bias_regularizer, activity_regularizer: Optional.
        depthwise_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).
    """

    def __init__(self, rank: int, kernel_size, strides=1, padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        layer = type(self).__name__
        self.rank = rank
        self.depth_multiplier = check_positive_int(depth_multiplier,
                                                   "depth_multiplier", layer)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", layer)
        self.strides = standardize_tuple(strides, rank, "strides", layer)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate",
                                               layer)
        check_strides_dilation(self.strides, self.dilation_rate, layer)
        self.padding = standardize_padding(padding, layer)
        self.data_format = standardize_data_format(data_format, layer)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        channels = channel_axis_size(input_shape, self.data_format, self.rank,
                                     type(self).__name__, self.name)
        # Keras 3 names the depthwise kernel "kernel" (Keras 2: depthwise_kernel).
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(channels * self.depth_multiplier,),
                initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint, name="bias")
        self.built = True

    def call(self, inputs):
        channels = self.kernel.shape[-2]
        check_input_channels(self, inputs, channels)
        # (..., C, M) -> (..., 1, C * M): a grouped kernel with C groups whose
        # output channel c * M + m is channel c's m-th filter (Keras's order).
        kernel = ops.reshape(self.kernel, self.kernel_size +
                             (1, channels * self.depth_multiplier))
        return apply_conv(self, inputs, kernel, self.bias, self.strides,
                          self.padding, self.dilation_rate)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        channels = input_shape[-1] if self.data_format == "channels_last" \
            else input_shape[1]
        out_channels = None if channels is None else channels * self.depth_multiplier
        lengths = [conv_output_length(n, k, s, d, self.padding) for n, k, s, d in
                   zip(spatial_axes(input_shape, self.data_format),
                       self.kernel_size, self.strides, self.dilation_rate,
                       strict=True)]
        return spatial_output_shape(input_shape, out_channels, self.data_format,
                                    lengths)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": serialize(self.depthwise_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "depthwise_regularizer": serialize(self.depthwise_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "depthwise_constraint": serialize(self.depthwise_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }


@register_serializable()
class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution: each input channel gets its own filters.

    outputs[n, i, j, c * M + m] = activation(bias[c * M + m] + sum_{di, dj}
    xpad[n, i * sh + di * dh, j * sw + dj * dw, c] * kernel[di, dj, c, m]),
    M = depth_multiplier. The kernel has shape (kernel_h, kernel_w,
    in_channels, depth_multiplier); the first half of a separable convolution.

    Args:
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints (default (1, 1)).
        padding: "valid" (default) or "same".
        depth_multiplier: Output channels per input channel (default 1).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 2 ints (default (1, 1)).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        depthwise_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        depthwise_regularizer, bias_regularizer, activity_regularizer: Optional.
        depthwise_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape:
        `(batch, height, width, channels)` (channels_first: channels second).

    Output shape:
        `(batch, new_height, new_width, channels * depth_multiplier)`, sizes as
        Conv2D's.

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
        >>> layer = DepthwiseConv2D(3)
        >>> layer(baro.ones((2, 10, 10, 32))).shape, layer.count_params()
        ((2, 8, 8, 32), 320)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate=(1, 1), activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(
            2, kernel_size, strides=strides, padding=padding,
            depth_multiplier=depth_multiplier, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
