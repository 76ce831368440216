"""Convolutions (1-D and 2-D, grouped, dilated) and their transposes.

Every convolution runs as im2col: a strided view gathers the patches, one copy
lays them out as a (rows, kh * kw * channels) matrix, and one matmul (batched
over groups) contracts them with the kernel; the kernel gradient is one matmul
too. The input gradient is col2im of g @ K^T, which adds each kernel position's
slab back into the padded input: kh * kw vectorized slice-adds, never a loop
over pixels.

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
from baro.ops.convert import as_float
from baro.ops.math import cast
from baro.ops.window import (
    Geometry,
    channels_first,
    from_nhwc,
    make_geometry,
    normalize_padding,
    normalize_tuple,
    pad_spatial,
    scratch,
    to_nhwc,
)

# -- im2col / col2im ---------------------------------------------------------------
#
# Patches come in one of two layouts, per group: rows-major (M, K) with M = N * OH
# * OW output positions and K = KH * KW * Cg taps, or taps-major (K, M). The copy
# out of the strided view is fast when its innermost run is long: Cg channels in
# rows-major, OW positions in taps-major (a channels-first copy of x). So inputs
# with few channels per group (images, depthwise) use taps-major.


def _taps_major(channels: int, groups: int) -> bool:
    return channels // groups <= 3


def _im2col(x, geo: Geometry, taps_major: bool, ones: bool = False):
    """Patches of NHWC `x`: (groups, M, K), or (groups, K, M) if taps-major.

    With `ones`, one more tap of constant 1 is appended (K + 1 in all), so a
    bias stored as the kernel matrix's last row is added by the matmul itself.
    """
    xp = get_array_module(x)
    n, _, _, c = x.shape
    g, cg = geo.groups, c // geo.groups
    (oh, ow), (kh, kw) = geo.out_hw, geo.kernel
    (sh, sw), (dh, dw) = geo.strides, geo.dilation
    x = pad_spatial(x, geo.pads, 0)
    if taps_major:
        x = xp.ascontiguousarray(x.transpose(3, 0, 1, 2))
        s_c, s_n, s_h, s_w = x.strides
        shape = (g, kh, kw, cg, n, oh, ow)
        strides = (s_c * cg, s_h * dh, s_w * dw, s_c, s_n, s_h * sh, s_w * sw)
        rows, taps = 2, 1
    else:
        s_n, s_h, s_w, s_c = x.strides
        shape = (g, n, oh, ow, kh, kw, cg)
        strides = (s_c * cg, s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c)
        rows, taps = 1, 2
    view = xp.lib.stride_tricks.as_strided(x, shape, strides)
    dims = [g, 0, 0]
    dims[rows], dims[taps] = n * oh * ow, kh * kw * cg
    if not ones:
        return view.reshape(dims)
    dims[taps] += 1
    cols = scratch(xp, dims, x.dtype, "im2col")
    # One copy either way: the patches go straight into the larger buffer.
    if taps_major:
        xp.copyto(cols[:, :-1].reshape(shape), view)
        cols[:, -1] = 1
    else:
        xp.copyto(cols[:, :, :-1].reshape(shape), view)
        cols[:, :, -1] = 1
    return cols


def _col2im(g, kmat, geo: Geometry, in_shape, taps_major: bool):
    """Adjoint of `_im2col` applied to g @ K^T: the NHWC input gradient.

    g is (groups, M, Og) and kmat (groups, K, Og). Each kernel position's slab
    of patch gradients is added into the padded input (kh * kw slice-adds).
    """
    xp = get_array_module(g)
    n, h, w, c = in_shape
    groups, cg = geo.groups, c // geo.groups
    (oh, ow), (kh, kw) = geo.out_hw, geo.kernel
    (top, bottom), (left, right) = geo.pads
    hp, wp = h + top + bottom, w + left + right
    if taps_major:
        patches = (kmat @ g.swapaxes(1, 2)).reshape(groups, kh, kw, cg, n, oh, ow)
        out = xp.zeros((groups, cg, n, hp, wp), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                out[(Ellipsis,) + geo.window(i, j)] += patches[:, i, j]
        out = out.reshape(c, n, hp, wp)[:, :, top:top + h, left:left + w]
        return xp.ascontiguousarray(out.transpose(1, 2, 3, 0))
    # One (M, Cg) slab per kernel position instead of the whole (M, K) matrix:
    # the adds then read contiguous rows, and the buffer stays small and reused.
    out = scratch(xp, (n, hp, wp, groups, cg), g.dtype, "col2im")
    out.fill(0)
    taps = kmat.reshape(groups, kh * kw, cg, -1)
    slab = scratch(xp, (groups, g.shape[1], cg), g.dtype, "col2im_slab")
    for p in range(kh * kw):
        xp.matmul(g, taps[:, p].swapaxes(1, 2), out=slab)
        out[(slice(None),) + geo.window(*divmod(p, kw))] += \
            slab.reshape(groups, n, oh, ow, cg).transpose(1, 2, 3, 0, 4)
    return out.reshape(n, hp, wp, c)[:, top:top + h, left:left + w]


def _kernel_matrix(kernel, groups: int, bias=None):
    """(KH, KW, Cg, Cout) kernel as (groups, KH * KW * Cg, Cout // groups).

    A bias becomes one more row (groups, K + 1, Og), matching `_im2col`'s ones.
    """
    kh, kw, cg, cout = kernel.shape
    k = kernel.reshape(kh, kw, cg, groups, cout // groups).transpose(3, 0, 1, 2, 4)
    k = k.reshape(groups, kh * kw * cg, cout // groups)
    if bias is None:
        return k
    xp = get_array_module(kernel)
    return xp.concatenate([k, bias.reshape(groups, 1, cout // groups)], axis=1)


def _kernel_from_matrix(mat, shape, groups: int):
    """Inverse of `_kernel_matrix`."""
    kh, kw, cg, cout = shape
    k = mat.reshape(groups, kh, kw, cg, cout // groups).transpose(1, 2, 3, 0, 4)
    return k.reshape(shape)


def _merge_groups(y, n: int, out_hw):
    """(groups, N * OH * OW, Og) matmul result as NHWC (N, OH, OW, groups * Og)."""
    g, _, og = y.shape
    return y.transpose(1, 0, 2).reshape((n,) + tuple(out_hw) + (g * og,))


def _split_groups(y, groups: int):
    """NHWC (N, OH, OW, groups * Og) as (groups, N * OH * OW, Og)."""
    c = y.shape[-1]
    return y.reshape(-1, groups, c // groups).transpose(1, 0, 2)


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
    A fused relu is applied in place on y; backward first masks g with y > 0
    (relu'(0) = 0).
    """

    def __init__(self, geo: Geometry, rank: int, first: bool,
                 relu: bool = False) -> None:
        self.geo = geo
        self.rank = rank
        self.first = first
        self.relu = relu

    def forward(self, x, kernel, bias=None):
        xp = get_array_module(x)
        x = to_nhwc(x, self.rank, self.first)
        if self.rank == 1:
            kernel = kernel[None]
        self.taps_major = _taps_major(x.shape[-1], self.geo.groups)
        cols = _im2col(x, self.geo, self.taps_major, ones=bias is not None)
        kmat = _kernel_matrix(kernel, self.geo.groups, bias)
        rows = cols.swapaxes(1, 2) if self.taps_major else cols
        y = xp.matmul(rows, kmat, out=scratch(
            xp, rows.shape[:2] + kmat.shape[2:], kmat.dtype, "conv_out"))
        if self.relu:
            xp.maximum(y, 0, out=y)
        self.saved = (cols, kmat, y if self.relu else None)
        self.x_shape = x.shape
        self.k_shape = kernel.shape
        y = _merge_groups(y, x.shape[0], self.geo.out_hw)
        return from_nhwc(y, self.rank, self.first)

    def backward(self, g):
        cols, kmat, y = self.saved
        g = _split_groups(to_nhwc(g, self.rank, self.first), self.geo.groups)
        if y is not None:
            xp = get_array_module(g)
            mask = xp.greater(y, 0, out=scratch(xp, y.shape, bool, "relu_mask"))
            g = xp.multiply(g, mask, out=scratch(xp, y.shape, g.dtype, "relu_grad"))
        n_taps = math.prod(self.k_shape[:3])  # kernel rows, without the bias row
        gx = gk = gb = None
        if self.inputs[0].requires_grad:
            gx = _col2im(g, kmat[:, :n_taps], self.geo, self.x_shape,
                         self.taps_major)
            gx = from_nhwc(gx, self.rank, self.first)
        needs_bias = len(self.inputs) > 2 and self.inputs[2].requires_grad
        if self.inputs[1].requires_grad or needs_bias:
            taps = cols if self.taps_major else cols.swapaxes(1, 2)
            grad = taps @ g
            gk = _kernel_from_matrix(grad[:, :n_taps], self.k_shape, self.geo.groups)
            if self.rank == 1:
                gk = gk[0]
            if needs_bias:
                gb = grad[:, n_taps].reshape(-1)
        if len(self.inputs) > 2:
            return gx, gk, gb
        return gx, gk


class ConvTranspose(Function):
    """y = conv's input gradient: y = col2im(x @ K^T), K the (KH * KW * Cout, Cin)
    kernel matrix of the convolution that maps y's shape back to x's.

    Being linear in both operands: dx = conv(g, k) = P_g @ K and
    dk = P_g^T @ x, where P_g are the im2col patches of g (one gather for both).
    """

    def __init__(self, geo: Geometry, rank: int, first: bool, out_hw) -> None:
        self.geo = geo
        self.rank = rank
        self.first = first
        self.out_hw = out_hw

    def forward(self, x, kernel):
        x = to_nhwc(x, self.rank, self.first)
        if self.rank == 1:
            kernel = kernel[None]
        x3 = x.reshape(1, -1, x.shape[-1])
        kmat = _kernel_matrix(kernel, 1)
        self.saved = (x3, kmat)
        self.k_shape = kernel.shape
        self.taps_major = _taps_major(kernel.shape[2], 1)
        out_shape = (x.shape[0],) + tuple(self.out_hw) + (kernel.shape[2],)
        y = _col2im(x3, kmat, self.geo, out_shape, self.taps_major)
        return from_nhwc(y, self.rank, self.first)

    def backward(self, g):
        x3, kmat = self.saved
        cols = _im2col(to_nhwc(g, self.rank, self.first), self.geo, self.taps_major)
        rows = cols.swapaxes(1, 2) if self.taps_major else cols
        gx = gk = None
        if self.inputs[0].requires_grad:
            gx = _merge_groups(rows @ kmat, g.shape[0], self.geo.out_hw)
            gx = from_nhwc(gx, self.rank, self.first)
        if self.inputs[1].requires_grad:
            gk = _kernel_from_matrix(rows.swapaxes(1, 2) @ x3, self.k_shape, 1)
            if self.rank == 1:
                gk = gk[0]
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
    return Conv(geo, rank, first, relu).apply(*operands)


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


def _transpose_length(n, k, s, d, out_pad, mode):
    # Keras's deconv_output_length, so shapes match keras.ops.conv_transpose.
    k_eff = (k - 1) * d + 1
    if out_pad is None:
        return n * s + max(k_eff - s, 0) if mode == "valid" else n * s
    pad = k_eff // 2 if mode == "same" else 0
    return (n - 1) * s + k_eff - 2 * pad + out_pad


def _conv_transpose(inputs, kernel, strides, padding, output_padding, data_format,
                    dilation_rate, op, ranks):
    x, k, first, spatial, c_in, strides, dilation, mode = _setup(
        inputs, kernel, strides, padding, data_format, dilation_rate, op, ranks)
    if k.shape[-1] != c_in:
        raise ValueError(
            f"{op}: inputs of shape {x.shape} have {c_in} channels but the kernel "
            f"of shape {k.shape} expects {k.shape[-1]} (its last axis); the "
            f"kernel layout is (spatial..., out_channels, in_channels).")
    rank = len(spatial)
    out_pad = (None,) * rank
    if output_padding is not None:
        out_pad = (output_padding,) * rank if isinstance(output_padding, int) \
            else tuple(int(p) for p in output_padding)
        if len(out_pad) != rank or any(
                not 0 <= p < s for p, s in zip(out_pad, strides, strict=True)):
            raise ValueError(
                f"{op}: output_padding must be {rank} int(s), each >= 0 and lower "
                f"than the stride {strides}; received {output_padding!r}.")
    per_axis = zip(spatial, k.shape[:rank], strides, dilation, out_pad, strict=True)
    out_len = tuple(_transpose_length(*axis, mode) for axis in per_axis)
    geo = make_geometry(out_len, k.shape[:rank], strides, dilation, mode)
    if geo.out_hw[-rank:] != spatial or min(out_len) < 1:
        raise ValueError(
            f"{op}: output_padding={output_padding!r} gives an output of spatial "
            f"size {out_len}, which a convolution with padding={mode!r} would not "
            f"map back to the inputs' {spatial} (inputs shape {x.shape}, kernel "
            f"shape {k.shape}); use another output_padding.")
    out_hw = (1,) * (2 - rank) + out_len
    return ConvTranspose(geo, rank, first, out_hw).apply(x, k)


def conv_transpose(inputs, kernel, strides=1, padding: str = "valid",
                   output_padding=None, data_format=None,
                   dilation_rate=1) -> Tensor:
    """1-D or 2-D transposed convolution: the input gradient of `conv`.

    Args:
        inputs: (batch, spatial..., in_channels), or channels first.
        kernel: (spatial..., out_channels, in_channels), as in Keras.
        strides: Int or tuple, one per spatial axis.
        padding: "valid" or "same" (any case); with it, the output is what a
            `conv` of that padding maps back to the inputs' size.
        output_padding: None, or an int or tuple (each < its stride) to pick
            among the output sizes that map back to the same input size.
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        dilation_rate: Int or tuple.

    Returns:
        (batch, out_spatial..., out_channels). Per axis, with k_eff =
        (k - 1) * dilation + 1, out is n * s + max(k_eff - s, 0) for "valid",
        n * s for "same", and (n - 1) * s + k_eff - 2 * pad + output_padding
        when output_padding is given (pad = k_eff // 2 for "same", else 0).

    Raises:
        ValueError: For a wrong rank, inputs whose channels differ from
            kernel.shape[-1] (naming both shapes), an unknown padding or data
            format, or an output_padding no convolution maps back.

    Example:
        >>> import baro
        >>> y = baro.ops.conv_transpose(baro.ones((1, 4, 4, 3)),
        ...                             baro.ones((3, 3, 2, 3)), strides=2)
        >>> y.shape
        (1, 9, 9, 2)
    """
    return _conv_transpose(inputs, kernel, strides, padding, output_padding,
                           data_format, dilation_rate, "conv_transpose", (3, 4))


def conv2d_transpose(inputs, kernel, strides=1, padding: str = "valid",
                     output_padding=None, data_format=None,
                     dilation_rate=1) -> Tensor:
    """`conv_transpose` for rank-4 inputs (batch, height, width, channels) only."""
    return _conv_transpose(inputs, kernel, strides, padding, output_padding,
                           data_format, dilation_rate, "conv2d_transpose", (4,))
