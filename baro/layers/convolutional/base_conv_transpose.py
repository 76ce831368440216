"""BaseConvTranspose: what Conv1DTranspose and Conv2DTranspose share.

outputs = activation(conv_transpose(inputs, kernel) + bias): the input gradient
of a convolution, so it maps a convolution's output shape back to its input
shape (learned upsampling). Kernel (spatial..., filters, in_channels), as Keras.
"""

from __future__ import annotations

from baro import activations, constraints, initializers, ops, regularizers
from baro.layers.convolutional.base_conv import (
    channel_axis_size,
    check_input_channels,
    check_positive_int,
    check_strides_dilation,
    spatial_axes,
    spatial_output_shape,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from baro.layers.layer import Layer
from baro.saving.serialization import serialize


def transpose_output_length(n, kernel: int, stride: int, dilation: int,
                            padding: str, output_padding):
    """Keras's deconv_output_length for one axis (None stays None)."""
    if n is None:
        return None
    k_eff = (kernel - 1) * dilation + 1
    if output_padding is None:
        return n * stride + max(k_eff - stride, 0) if padding == "valid" \
            else n * stride
    pad = k_eff // 2 if padding == "same" else 0
    return (n - 1) * stride + k_eff - 2 * pad + output_padding


class BaseConvTranspose(Layer):
    """Abstract N-D transposed convolution layer.

    Per spatial axis, with k_eff = (k - 1) * dilation + 1, the output length is
    n * s + max(k_eff - s, 0) for "valid" and n * s for "same"; with
    `output_padding` it is (n - 1) * s + k_eff - 2 * pad + output_padding
    (pad = k_eff // 2 for "same", else 0).

    Args:
        rank: Number of spatial axes (1 or 2).
        filters: Number of output channels.
        kernel_size: Int or tuple of `rank` ints.
        strides: Int or tuple (default 1); > 1 excludes dilation_rate > 1.
        padding: "valid" (default) or "same".
        output_padding: None (default) or an int or tuple of `rank` ints, each
            lower than its stride: picks among the output sizes a convolution
            would map back to the input size.
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1,
                 padding: str = "valid", output_padding=None,
                 data_format: str | None = None, dilation_rate=1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        layer = type(self).__name__
        self.rank = rank
        self.filters = check_positive_int(filters, "filters", layer)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", layer)
        self.strides = standardize_tuple(strides, rank, "strides", layer)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate",
                                               layer)
        check_strides_dilation(self.strides, self.dilation_rate, layer)
        self.padding = standardize_padding(padding, layer)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(
                output_padding, rank, "output_padding", layer, allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides,
                                          strict=True)):
                raise ValueError(
                    f"{layer}: output_padding must be lower than strides on every "
                    f"axis; received output_padding={self.output_padding} and "
                    f"strides={self.strides}.")
        self.data_format = standardize_data_format(data_format, layer)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        channels = channel_axis_size(input_shape, self.data_format, self.rank,
                                     type(self).__name__, self.name)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def call(self, inputs):
        check_input_channels(self, inputs, self.kernel.shape[-1])
        outputs = ops.conv_transpose(
            inputs, self.kernel, strides=self.strides, padding=self.padding,
            output_padding=self.output_padding, data_format=self.data_format,
            dilation_rate=self.dilation_rate)
        if self.bias is not None:
            bias = self.bias
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (self.filters,) + (1,) * self.rank)
            outputs = outputs + bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        out_pad = self.output_padding or (None,) * self.rank
        lengths = [transpose_output_length(n, k, s, d, self.padding, p)
                   for n, k, s, d, p in zip(
                       spatial_axes(input_shape, self.data_format), self.kernel_size,
                       self.strides, self.dilation_rate, out_pad, strict=True)]
        return spatial_output_shape(input_shape, self.filters, self.data_format,
                                    lengths)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }
