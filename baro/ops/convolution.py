"""Convolutions (1-D and 2-D, grouped, dilated); transposes: transposed_convolution.py.

Every convolution runs as im2col: a strided view gathers the patches, one copy
lays them out as a (rows, kh * kw * channels) matrix, and one matmul (batched
over groups) contracts them with the kernel; the kernel gradient is one matmul
too. The input gradient is col2im of g @ K^T, which adds each kernel position's
slab back into the padded input: kh * kw vectorized slice-adds, never a loop
over pixels. All of it runs over the batch a slice at a time, so that each
slice's patches and outputs stay in cache between passes (conv_kernels.py).

Internally everything is channels_last 2-D (N, H, W, C): a 1-D input gets a
height-1 axis and channels_first inputs are transposed on the way in and out
(the sliding-window helpers of window.py).

`fused_conv` (what the convolution layers call) also takes the bias and a relu
into the same node: the bias rides in the matmuls (a ones column of the patches;
its gradient is a row of the kernel-gradient matmul) and relu runs in place on
the matmul's output, saving full passes over the activation in each direction.
"""

from __future__ import annotations

import math

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.conv_kernels import (
    batch_slices,
    col2im,
    fill_source,
    grad_buffer,
    im2col,
    kernel_from_matrix,
    kernel_matrix,
    patches_buffer,
    sample_bytes,
    slice_grad,
    source_buffer,
    split_groups,
    store_grad,
)
from baro.ops.convert import as_float
from baro.ops.math import cast
from baro.ops.parallel import add_in_order, map_slices
from baro.ops.window import (
    Geometry,
    channels_first,
    from_nhwc,
    make_geometry,
    normalize_padding,
    normalize_tuple,
    scratch,
    to_nhwc,
)

# -- kernel layouts ----------------------------------------------------------------


def _taps_major(channels: int, groups: int) -> bool:
    """Patches layout (see conv_kernels): taps-major for few channels per group
    (images, depthwise), where rows-major copies would run over 1-3 values."""
    return channels // groups <= 3


# -- Functions ---------------------------------------------------------------------


class Conv(Function):
    """y[n, p, o] = sum_{t, c} xpad[n, p * s + t * d, c_g(o) + c] * k[t, c, o]
    (+ b[o], then relu when fused).

    p runs over output positions, t over kernel positions, c over the Cg input
    channels of output channel o's group. As matrices per group, with P the
    im2col patches and K the reshaped kernel: y = P @ K, so
    dK = P^T @ g  and  dx = col2im(g @ K^T).
    A bias is folded into the matmuls: P gets a column of ones and K the bias
    as its last row, so y = [P 1] @ [K; b] and db falls out of dK's last row.
    A fused relu is applied in place on y, and y > 0 kept as a mask; backward
    first multiplies g by it (relu'(0) = 0). Both directions run slice by
    slice over the batch (see conv_kernels); backward gathers the patches
    again rather than keeping them.
    """

    def __init__(self, geo: Geometry, rank: int, first: bool, relu: bool = False,
                 taps_major: bool = False) -> None:
        self.geo = geo
        self.rank = rank
        self.first = first
        self.relu = relu
        self.taps_major = taps_major  # patches layout, see conv_kernels

    def forward(self, x, kernel, bias=None):
        xp = get_array_module(x)
        x = to_nhwc(x, self.rank, self.first)
        if self.rank == 1:
            kernel = kernel[None]
        geo, groups, taps_major = self.geo, self.geo.groups, self.taps_major
        kmat = kernel_matrix(kernel, groups, bias)
        n_taps = math.prod(kernel.shape[:3])
        y = scratch(xp, (x.shape[0],) + geo.out_hw + (kernel.shape[-1],),
                    kmat.dtype, "conv_out")
        # relu'(y) kept as bytes: backward reads a quarter of what y would be.
        active = scratch(xp, y.shape, bool, "conv_relu_mask") if self.relu \
            else None
        parts = batch_slices(x.shape[0], sample_bytes(
            x.shape, geo, n_taps, kernel.shape[-1], kmat.dtype.itemsize))
        step = parts[0].stop

        def make_work():
            src_buf = source_buffer(xp, (step,) + x.shape[1:], geo, taps_major,
                                    kmat.dtype)
            cols_buf = patches_buffer(xp, step, n_taps, geo, taps_major,
                                      kmat.dtype, ones=bias is not None)

            def work(part):
                src = fill_source(x[part], geo, taps_major, src_buf)
                cols = im2col(src, geo, taps_major, cols_buf, n_taps)
                out = split_groups(y[part], groups, write=True)
                xp.matmul(cols.swapaxes(1, 2) if taps_major else cols, kmat,
                          out=out)
                if self.relu:
                    # In place while the slice is still in cache.
                    xp.maximum(out, 0, out=out)
                    xp.greater(out, 0,
                               out=split_groups(active[part], groups, write=True))

            return work

        map_slices(make_work, parts, xp)
        self.saved = (x, kmat, active)
        self.k_shape = kernel.shape
        return from_nhwc(y, self.rank, self.first)

    def backward(self, g):
        x, kmat, active = self.saved
        xp = get_array_module(g)
        g = to_nhwc(g, self.rank, self.first)
        geo, groups, taps_major = self.geo, self.geo.groups, self.taps_major
        n_taps = math.prod(self.k_shape[:3])  # kernel rows, without the bias row
        has_bias = len(self.inputs) > 2
        need_x = self.inputs[0].requires_grad
        need_b = has_bias and self.inputs[2].requires_grad
        need_k = self.inputs[1].requires_grad or need_b
        dtype = g.dtype
        parts = batch_slices(x.shape[0], sample_bytes(
            x.shape, geo, n_taps, g.shape[-1], dtype.itemsize))
        step = parts[0].stop
        m_step = step * geo.out_hw[0] * geo.out_hw[1]
        og = g.shape[-1] // groups
        gx = scratch(xp, x.shape, dtype, "conv_grad_x") if need_x else None
        kernel_rows = kmat[:, :n_taps]

        def make_work():
            if active is not None:
                gm_buf = xp.empty((groups, m_step, og), dtype=dtype)
            if need_k:
                src_buf = source_buffer(xp, (step,) + x.shape[1:], geo,
                                        taps_major, dtype)
                cols_buf = patches_buffer(xp, step, n_taps, geo, taps_major,
                                          dtype, ones=has_bias)
            if need_x:
                acc_buf = grad_buffer(xp, (step,) + x.shape[1:], geo, taps_major,
                                      dtype)
                slab_buf = xp.empty((groups, n_taps, m_step) if taps_major else
                                    (groups, m_step, x.shape[-1] // groups),
                                    dtype=dtype)

            def work(part):
                gs = split_groups(g[part], groups)
                m = gs.shape[1]
                if active is not None:
                    gs = xp.multiply(gs, split_groups(active[part], groups),
                                     out=gm_buf[:, :m])
                if need_x:
                    acc = slice_grad(gx[part], acc_buf, geo, taps_major)
                    slab = slab_buf[:, :, :m] if taps_major else slab_buf[:, :m]
                    col2im(gs, kernel_rows, geo, taps_major, acc, slab)
                    if acc_buf is not None:
                        store_grad(gx[part], acc, geo, taps_major)
                if not need_k:
                    return None
                src = fill_source(x[part], geo, taps_major, src_buf)
                cols = im2col(src, geo, taps_major, cols_buf, n_taps)
                return (cols if taps_major else cols.swapaxes(1, 2)) @ gs

            return work

        partial = map_slices(make_work, parts, xp)
        gk = gb = None
        if need_k:
            grad = add_in_order(partial)
            gk = kernel_from_matrix(grad[:, :n_taps], self.k_shape, groups)
            if self.rank == 1:
                gk = gk[0]
            if need_b:
                gb = grad[:, n_taps].reshape(-1)
        if need_x:
            gx = from_nhwc(gx, self.rank, self.first)
        if has_bias:
            return gx, gk, gb
        return gx, gk


# -- public functions --------------------------------------------------------------

_LAYOUTS = {3: "(batch, width, channels)", 4: "(batch, height, width, channels)"}


def _setup(inputs, kernel, strides, padding, data_format, dilation_rate, op, ranks):
    """Converts both operands to one float dtype and checks every argument.

    Returns:
        (x, k, first, spatial sizes, channels, strides, dilation, padding mode).
    """
    x = as_float(inputs, op)
    k = as_float(kernel, op)
    if x.data.dtype != k.data.dtype:
        dtype = np.result_type(x.data.dtype, k.data.dtype)
        x, k = cast(x, dtype), cast(k, dtype)
    if x.ndim not in ranks:
        expected = " or ".join(
            f"rank {r} {_LAYOUTS[r]} for a {r - 2}-D op" for r in ranks)
        raise ValueError(
            f"{op}: inputs must have {expected} (channels_last shown); received "
            f"shape {x.shape}. Add a missing batch axis with expand_dims(x, 0).")
    if k.ndim != x.ndim:
        raise ValueError(
            f"{op}: kernel must have rank {x.ndim} (spatial..., in, out) to match "
            f"inputs of shape {x.shape}; received kernel shape {k.shape}.")
    rank = x.ndim - 2
    first = channels_first(data_format, op)
    spatial = tuple(x.shape[2:] if first else x.shape[1:-1])
    channels = x.shape[1] if first else x.shape[-1]
    return (x, k, first, spatial, channels,
            normalize_tuple(strides, rank, "strides", op),
            normalize_tuple(dilation_rate, rank, "dilation_rate", op),
            normalize_padding(padding, op))


def _conv(inputs, kernel, strides, padding, data_format, dilation_rate, op, ranks,
          bias=None, relu: bool = False):
    x, k, first, spatial, c_in, strides, dilation, mode = _setup(
        inputs, kernel, strides, padding, data_format, dilation_rate, op, ranks)
    k_in, c_out = k.shape[-2], k.shape[-1]
    if k_in == 0 or c_in % k_in:
        raise ValueError(
            f"{op}: inputs of shape {x.shape} have {c_in} channels but the kernel "
            f"of shape {k.shape} expects {k_in} input channels per group; "
            f"in_channels must be a multiple of kernel.shape[-2]. Check "
            f"data_format and the kernel layout (spatial..., in // groups, out).")
    groups = c_in // k_in
    if c_out % groups:
        raise ValueError(
            f"{op}: inputs of shape {x.shape} and kernel of shape {k.shape} give "
            f"{groups} groups, which must divide the {c_out} output channels.")
    rank = len(spatial)
    geo = make_geometry(spatial, k.shape[:rank], strides, dilation, mode, groups)
    if min(geo.out_hw) < 1:
        raise ValueError(
            f"{op}: with padding='valid' the inputs' spatial size {spatial} "
            f"(shape {x.shape}) is smaller than the kernel {k.shape[:rank]} "
            f"dilated by {dilation} (kernel shape {k.shape}); use "
            f"padding='same' or a smaller kernel.")
    operands = (x, k)
    if bias is not None:
        b = as_float(bias, op)
        if b.shape != (c_out,):
            raise ValueError(
                f"{op}: bias must have shape ({c_out},), one value per output "
                f"channel of the kernel of shape {k.shape}; received bias shape "
                f"{b.shape}.")
        if b.data.dtype != x.data.dtype:
            b = cast(b, x.data.dtype)
        operands = (x, k, b)
    layout = _taps_major(c_in, groups)
    return Conv(geo, rank, first, relu, layout).apply(*operands)


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
         dilation_rate=1) -> Tensor:
    """1-D or 2-D convolution (cross-correlation, as in Keras and TF), grouped
    when the kernel has fewer input channels than the inputs.

    Args:
        inputs: (batch, width, channels) for 1-D or (batch, height, width,
            channels) for 2-D; channels right after batch for channels_first.
        kernel: (spatial..., in_channels // groups, out_channels). groups is
            in_channels // kernel.shape[-2] (depthwise when it is in_channels).
        strides: Int or tuple, one per spatial axis.
        padding: "valid" (no padding) or "same" (output size ceil(n / stride),
            padded as TF does: the odd pixel goes at the end). Any case.
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple: spacing between kernel taps.

    Returns:
        (batch, out_spatial..., out_channels) in the same data format.

    Raises:
        ValueError: For a wrong rank, channels the kernel does not fit (naming
            both shapes), an unknown padding or data format, or an input smaller
            than the kernel with "valid" padding.

    Example:
        >>> import baro
        >>> x = baro.ones((2, 5, 5, 3))
        >>> baro.ops.conv(x, baro.ones((3, 3, 3, 4)), padding="same").shape
        (2, 5, 5, 4)
    """
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate,
                 "conv", (3, 4))


def fused_conv(inputs, kernel, bias=None, strides=1, padding: str = "valid",
               data_format=None, dilation_rate=1, activation=None) -> Tensor:
    """`activation(conv(inputs, kernel) + bias)` as one graph node (see above).

    Args:
        inputs, kernel, strides, padding, data_format, dilation_rate: As `conv`.
        bias: None or a vector with one value per output channel.
        activation: None or "relu"; other activations are applied by the
            caller after this op.

    Returns:
        As `conv`.

    Raises:
        ValueError: As `conv`, for a bias whose shape is not (out_channels,),
            or for an activation other than None and "relu".

    Example:
        >>> import baro
        >>> from baro.ops.convolution import fused_conv
        >>> y = fused_conv(baro.ones((1, 3, 3, 1)), baro.ones((2, 2, 1, 2)),
        ...                bias=[-5.0, 1.0], activation="relu")
        >>> y[0, :, :, 1].numpy()
        array([[5., 5.],
               [5., 5.]], dtype=float32)
    """
    if activation not in (None, "relu"):
        raise ValueError(
            f"fused_conv: activation must be None or 'relu', received "
            f"{activation!r}; apply other activations to the result.")
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate,
                 "fused_conv", (3, 4), bias=bias, relu=activation == "relu")


def conv1d(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
           dilation_rate=1) -> Tensor:
    """`conv` for rank-3 inputs (batch, width, channels) only."""
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate,
                 "conv1d", (3,))


def conv2d(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
           dilation_rate=1) -> Tensor:
    """`conv` for rank-4 inputs (batch, height, width, channels) only."""
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate,
                 "conv2d", (4,))


def __getattr__(name: str):
    # `baro.ops.convolution.conv_transpose` was where the transposed convolutions
    # used to be reached; they live in transposed_convolution.py (exported by
    # `baro.ops`). Resolved on first access: an import here at load time would
    # be circular, since that module uses the argument checks above.
    if name in ("conv_transpose", "conv2d_transpose"):
        from baro.ops import transposed_convolution

        return getattr(transposed_convolution, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
