"""SeparableConv2D: a depthwise convolution, then a 1x1 pointwise one (and base)."""

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
from baro.ops.convolution import fused_conv
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


class BaseSeparableConv(Layer):
    """Abstract N-D depthwise-separable convolution (base of SeparableConv1D/2D).

    z = depthwise_conv(x, depthwise_kernel) (C * M channels, no bias), then
    outputs = activation(conv(z, pointwise_kernel) + bias) with a 1x1 kernel
    mixing the channels: far fewer weights than a full convolution
    (k * C * M + C * M * filters instead of k * C * filters).

    Args:
        rank: Number of spatial axes (1 or 2).
        filters: Number of output channels.
        kernel_size: Int or tuple of `rank` ints (the depthwise window).
        strides: Int or tuple (default 1), for the depthwise step.
        padding: "valid" (default) or "same".
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple (default 1).
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
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, depth_multiplier: int = 1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        layer = type(self).__name__
        self.rank = rank
        self.filters = check_positive_int(filters, "filters", layer)
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
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        channels = channel_axis_size(input_shape, self.data_format, self.rank,
                                     type(self).__name__, self.name)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (channels * self.depth_multiplier,
                                      self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, name="pointwise_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs):
        channels = self.depthwise_kernel.shape[-2]
        check_input_channels(self, inputs, channels)
        depthwise = ops.reshape(self.depthwise_kernel, self.kernel_size +
                                (1, channels * self.depth_multiplier))
        z = fused_conv(inputs, depthwise, strides=self.strides, padding=self.padding,
                       data_format=self.data_format,
                       dilation_rate=self.dilation_rate)
        return apply_conv(self, z, self.pointwise_kernel, self.bias, 1, "valid", 1)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        lengths = [conv_output_length(n, k, s, d, self.padding) for n, k, s, d in
                   zip(spatial_axes(input_shape, self.data_format),
                       self.kernel_size, self.strides, self.dilation_rate,
                       strict=True)]
        return spatial_output_shape(input_shape, self.filters, self.data_format,
                                    lengths)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": serialize(self.depthwise_initializer),
            "pointwise_initializer": serialize(self.pointwise_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "depthwise_regularizer": serialize(self.depthwise_regularizer),
            "pointwise_regularizer": serialize(self.pointwise_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "depthwise_constraint": serialize(self.depthwise_constraint),
            "pointwise_constraint": serialize(self.pointwise_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }


@register_serializable()
class SeparableConv2D(BaseSeparableConv):
    """2-D depthwise-separable convolution.

    z[n, i, j, c * M + m] = sum_{di, dj} xpad[n, i * sh + di * dh,
    j * sw + dj * dw, c] * depthwise_kernel[di, dj, c, m], then
    outputs = activation(z @ pointwise_kernel[0, 0] + bias), M =
    depth_multiplier. Weights: depthwise_kernel (kh, kw, in_channels, M),
    pointwise_kernel (1, 1, in_channels * M, filters), bias (filters,).

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints.
        strides: Int or tuple of 2 ints (default (1, 1)).
        padding: "valid" (default) or "same".
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple of 2 ints (default (1, 1)).
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
        `(batch, height, width, channels)` (channels_first: channels second).

    Output shape:
        `(batch, new_height, new_width, filters)`, sizes as Conv2D's.

    Example:
        >>> import baro
        >>> from baro.layers.convolutional.separable_conv2d import SeparableConv2D
        >>> layer = SeparableConv2D(64, 3)
        >>> layer(baro.ones((2, 10, 10, 32))).shape, layer.count_params()
        ((2, 8, 8, 64), 2400)
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate=(1, 1), depth_multiplier: int = 1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(
            2, filters, kernel_size, strides=strides, padding=padding,
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
