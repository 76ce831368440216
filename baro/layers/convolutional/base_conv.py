"""BaseConv: what Conv1D and Conv2D share, plus the argument checks of the family.

outputs = activation(conv(inputs, kernel) + bias), with Keras 3's arguments,
weights (`kernel` (spatial..., in_channels // groups, filters), `bias`
(filters,)) and config. The convolution, bias and a relu activation run as one
op (`baro.ops.convolution.fused_conv`).
"""

from __future__ import annotations

from baro import activations, constraints, initializers, ops, regularizers
from baro.layers.layer import Layer
from baro.layers.shape_hints import spatial_layout, spatial_rank_hint
from baro.ops.convolution import fused_conv
from baro.saving.serialization import serialize

# -- argument checks shared by the convolution layers ------------------------------


def standardize_tuple(value, rank: int, name: str, layer: str,
                      allow_zero: bool = False) -> tuple[int, ...]:
    """An int or a sequence of `rank` ints as a tuple of ints (Keras's rule).

    Raises:
        ValueError: Naming the layer and the argument, echoing the value.
    """
    if isinstance(value, bool):
        values = ()
    elif hasattr(value, "__index__"):
        values = (int(value),) * rank
    else:
        values = tuple(value) if isinstance(value, (list, tuple)) else ()
        if not all(hasattr(v, "__index__") and not isinstance(v, bool)
                   for v in values):
            values = ()
    lowest = 0 if allow_zero else 1
    if len(values) != rank or min(values) < lowest:
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(
            f"{layer}: the `{name}` argument must be an int or a tuple of {rank} "
            f"{kind} integers; received {name}={value!r}.")
    return tuple(int(v) for v in values)


def standardize_padding(padding, layer: str, allow_causal: bool = False) -> str:
    """Returns "valid", "same" or (Conv1D only) "causal", from any case."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in allowed:
        raise ValueError(
            f"{layer}: padding must be one of {allowed}; received "
            f"padding={padding!r}.")
    return mode


def standardize_data_format(data_format, layer: str) -> str:
    """None means "channels_last" (Keras's default image_data_format)."""
    fmt = "channels_last" if data_format is None else str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{layer}: data_format must be 'channels_last' or 'channels_first' "
            f"(or None); received data_format={data_format!r}.")
    return fmt


def check_positive_int(value, name: str, layer: str) -> int:
    """`value` itself, if it is a positive int (not a bool)."""
    if isinstance(value, bool) or not hasattr(value, "__index__") or value < 1:
        raise ValueError(
            f"{layer}: `{name}` must be a strictly positive integer; received "
            f"{name}={value!r}.")
    return int(value)


def check_strides_dilation(strides, dilation_rate, layer: str) -> None:
    """Keras refuses strides > 1 together with dilation_rate > 1."""
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            f"{layer}: strides > 1 is not supported together with "
            f"dilation_rate > 1; received strides={strides} and "
            f"dilation_rate={dilation_rate}. Set one of them to 1.")


def conv_output_length(n, kernel: int, stride: int, dilation: int, padding: str):
    """Output size of one spatial axis (None stays None), as Keras computes it."""
    if n is None:
        return None
    k_eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (n - k_eff) // stride + 1 if n >= k_eff else 0
    return (n - 1) // stride + 1  # "same" and "causal"


def channel_axis_size(input_shape, data_format: str, rank: int, layer: str,
                      name: str) -> int:
    """The channel count of `input_shape`, checking rank and that it is known."""
    input_shape = tuple(input_shape)
    if len(input_shape) != rank + 2:
        raise ValueError(
            f"{layer} {name!r} expects inputs of rank {rank + 2} "
            f"{spatial_layout(rank, data_format)}; received input shape "
            f"{input_shape}.{spatial_rank_hint(rank, input_shape, data_format)}")
    channels = input_shape[-1] if data_format == "channels_last" else input_shape[1]
    if channels is None:
        raise ValueError(
            f"{layer} {name!r}: the channel axis of the inputs must be known; "
            f"received input shape {input_shape} (data_format={data_format!r}).")
    return int(channels)


def spatial_output_shape(input_shape, channels_out: int, data_format: str,
                         lengths) -> tuple:
    """(batch, *lengths, channels_out) in `data_format`."""
    if data_format == "channels_last":
        return (input_shape[0],) + tuple(lengths) + (channels_out,)
    return (input_shape[0], channels_out) + tuple(lengths)


def spatial_axes(input_shape, data_format: str) -> tuple:
    """The spatial sizes of `input_shape` in `data_format`."""
    return tuple(input_shape[1:-1] if data_format == "channels_last"
                 else input_shape[2:])


def check_input_channels(layer, inputs, expected: int) -> None:
    """Raises if `inputs` do not have the channel count the layer was built for."""
    axis = -1 if layer.data_format == "channels_last" else 1
    if inputs.ndim != layer.rank + 2:
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r} expects inputs of rank "
            f"{layer.rank + 2} {spatial_layout(layer.rank, layer.data_format)}; "
            f"received input shape {tuple(inputs.shape)}."
            f"{spatial_rank_hint(layer.rank, inputs.shape, layer.data_format)}")
    if inputs.shape[axis] != expected:
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r} was built for inputs of rank "
            f"{layer.rank + 2} with {expected} channels on axis {axis} "
            f"(data_format={layer.data_format!r}); received inputs of shape "
            f"{tuple(inputs.shape)}, with {inputs.shape[axis]}. The kernel fixes "
            f"the channel count on the first call: feed {expected}-channel data "
            "(grayscale has 1, RGB 3), or use a new layer for the new data.")


def apply_conv(layer, inputs, kernel, bias, strides, padding, dilation_rate):
    """conv + bias + activation; a relu activation joins the fused op."""
    fuse_relu = layer.activation is activations.relu
    outputs = fused_conv(inputs, kernel, bias, strides=strides, padding=padding,
                         data_format=layer.data_format, dilation_rate=dilation_rate,
                         activation="relu" if fuse_relu else None)
    if fuse_relu or layer.activation is activations.linear:
        return outputs
    return layer.activation(outputs)


# -- the base layer ----------------------------------------------------------------


class BaseConv(Layer):
    """Abstract N-D convolution layer (the base of Conv1D and Conv2D).

    outputs = activation(conv(inputs, kernel) + bias): a cross-correlation of
    the inputs with `filters` kernels, each spanning `kernel_size` positions and
    `in_channels // groups` channels of its group.

    Args:
        rank: Number of spatial axes (1 or 2).
        filters: Number of output channels (positive, divisible by `groups`).
        kernel_size: Int or tuple of `rank` ints, the window size.
        strides: Int or tuple (default 1); > 1 excludes dilation_rate > 1.
        padding: "valid" (default), "same" (output ceil(n / stride), the odd
            padding pixel at the end, as TF) or, for rank 1, "causal" (the
            input is padded on the left by dilation_rate * (kernel_size - 1)).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple (default 1): spacing between kernel taps.
        groups: Input channels and filters split into this many groups, each
            convolved separately (default 1).
        activation: Activation name or function (default None: linear).
        use_bias: Whether to add a bias vector (default True).
        kernel_initializer: Default "glorot_uniform".
        bias_initializer: Default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional.
        kernel_constraint, bias_constraint: Optional.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        layer = type(self).__name__
        self.rank = rank
        self.filters = check_positive_int(filters, "filters", layer)
        self.groups = check_positive_int(groups, "groups", layer)
        if self.filters % self.groups:
            raise ValueError(
                f"{layer}: the number of filters must be divisible by the number "
                f"of groups; received filters={filters}, groups={groups}.")
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", layer)
        self.strides = standardize_tuple(strides, rank, "strides", layer)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate",
                                               layer)
        check_strides_dilation(self.strides, self.dilation_rate, layer)
        self.padding = standardize_padding(padding, layer, allow_causal=rank == 1)
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
        layer = type(self).__name__
        channels = channel_axis_size(input_shape, self.data_format, self.rank,
                                     layer, self.name)
        if channels % self.groups:
            raise ValueError(
                f"{layer} {self.name!r}: the input channels must be divisible by "
                f"groups; received groups={self.groups} and {channels} channels "
                f"(input shape {tuple(input_shape)}).")
        self._check_output_size(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                name="bias")
        self.built = True

    def _check_output_size(self, input_shape) -> None:
        output_shape = self.compute_output_shape(input_shape)
        sizes = spatial_axes(output_shape, self.data_format)
        if any(s is not None and s < 1 for s in sizes):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: the inputs of shape "
                f"{tuple(input_shape)} are smaller than the kernel "
                f"{self.kernel_size} (dilation_rate {self.dilation_rate}) with "
                f"padding={self.padding!r}, giving output shape {output_shape}. "
                "Use padding='same' or a smaller kernel_size.")

    def call(self, inputs):
        check_input_channels(self, inputs, self.kernel.shape[-2] * self.groups)
        padding = self.padding
        if padding == "causal":
            # Left padding only: output[t] then sees inputs[: t + 1] alone.
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pads = [(0, 0), (left, 0), (0, 0)]
            if self.data_format == "channels_first":
                pads = [(0, 0), (0, 0), (left, 0)]
            inputs = ops.pad(inputs, pads)
            padding = "valid"
        return apply_conv(self, inputs, self.kernel, self.bias, self.strides,
                          padding, self.dilation_rate)

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
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }
