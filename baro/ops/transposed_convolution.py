"""Transposed convolutions (1-D and 2-D): the input gradient of `conv` as an op.

The forward pass is col2im of x @ K^T, the backward pass im2col of g: the same
cache-blocked kernels as `conv` (conv_kernels.py), walked over batch slices.
"""

from __future__ import annotations

import math

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops import convolution
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
    store_grad,
    view_as,
)
from baro.ops.parallel import add_in_order, map_slices
from baro.ops.window import Geometry, from_nhwc, make_geometry, scratch, to_nhwc


class ConvTranspose(Function):
    """y = conv's input gradient: y = col2im(x @ K^T), K the (KH * KW * Cout, Cin)
    kernel matrix of the convolution that maps y's shape back to x's.

    Being linear in both operands: dx = conv(g, k) = P_g @ K and
    dk = P_g^T @ x, where P_g are the im2col patches of g (one gather for both).
    """

    def __init__(self, geo: Geometry, rank: int, first: bool, out_hw,
                 taps_major: bool = False) -> None:
        self.geo = geo
        self.rank = rank
        self.first = first
        self.out_hw = out_hw
        self.taps_major = taps_major  # patches layout, see conv_kernels

    def forward(self, x, kernel):
        xp = get_array_module(x)
        x = to_nhwc(x, self.rank, self.first)
        if self.rank == 1:
            kernel = kernel[None]
        kmat = kernel_matrix(kernel, 1)
        self.k_shape = kernel.shape
        geo, taps_major = self.geo, self.taps_major
        y = scratch(xp, (x.shape[0],) + tuple(self.out_hw) + (kernel.shape[2],),
                    kmat.dtype, "conv_t_out")
        parts = self._slices(y.shape, kmat.dtype.itemsize)
        step = parts[0].stop
        m_step = step * x.shape[1] * x.shape[2]

        def make_work():
            acc_buf = grad_buffer(xp, (step,) + y.shape[1:], geo, taps_major,
                                  kmat.dtype)
            slab_buf = xp.empty((1, kmat.shape[1], m_step) if taps_major else
                                (1, m_step, kernel.shape[2]), dtype=kmat.dtype)

            def work(part):
                rows = x[part].reshape(1, -1, x.shape[-1])
                m = rows.shape[1]
                acc = slice_grad(y[part], acc_buf, geo, taps_major)
                slab = slab_buf[:, :, :m] if taps_major else slab_buf[:, :m]
                col2im(rows, kmat, geo, taps_major, acc, slab)
                if acc_buf is not None:
                    store_grad(y[part], acc, geo, taps_major)

            return work

        map_slices(make_work, parts, xp)
        self.saved = (x, kmat)
        return from_nhwc(y, self.rank, self.first)

    def _slices(self, out_shape, itemsize: int) -> list:
        taps = math.prod(self.k_shape[:3])
        return batch_slices(out_shape[0], sample_bytes(
            out_shape, self.geo, taps, self.k_shape[-1], itemsize))

    def backward(self, g):
        x, kmat = self.saved
        xp = get_array_module(g)
        g = to_nhwc(g, self.rank, self.first)
        geo, taps_major, n_taps = self.geo, self.taps_major, kmat.shape[1]
        need_x, need_k = (t.requires_grad for t in self.inputs)
        parts = self._slices(g.shape, g.dtype.itemsize)
        step = parts[0].stop
        gx = scratch(xp, x.shape, g.dtype, "conv_t_grad_x") if need_x else None

        def make_work():
            src_buf = source_buffer(xp, (step,) + g.shape[1:], geo, taps_major,
                                    g.dtype)
            cols_buf = patches_buffer(xp, step, n_taps, geo, taps_major, g.dtype,
                                      ones=False)

            def work(part):
                src = fill_source(g[part], geo, taps_major, src_buf)
                cols = im2col(src, geo, taps_major, cols_buf, n_taps)
                rows = cols.swapaxes(1, 2) if taps_major else cols
                if need_x:
                    xp.matmul(rows, kmat,
                              out=view_as(gx[part], (1, -1, x.shape[-1])))
                if need_k:
                    return rows.swapaxes(1, 2) @ x[part].reshape(1, -1, x.shape[-1])
                return None

            return work

        partial = map_slices(make_work, parts, xp)
        gk = None
        if need_k:
            grad = add_in_order(partial)
            gk = kernel_from_matrix(grad, self.k_shape, 1)
            if self.rank == 1:
                gk = gk[0]
        if need_x:
            gx = from_nhwc(gx, self.rank, self.first)
        return gx, gk


# -- public functions --------------------------------------------------------------


def _transpose_length(n, k, s, d, out_pad, mode):
    # Keras's deconv_output_length, so shapes match keras.ops.conv_transpose.
    k_eff = (k - 1) * d + 1
    if out_pad is None:
        return n * s + max(k_eff - s, 0) if mode == "valid" else n * s
    pad = k_eff // 2 if mode == "same" else 0
    return (n - 1) * s + k_eff - 2 * pad + out_pad


def _conv_transpose(inputs, kernel, strides, padding, output_padding, data_format,
                    dilation_rate, op, ranks):
    x, k, first, spatial, c_in, strides, dilation, mode = convolution._setup(
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
    # Looked up at call time, so tests can force either layout.
    layout = convolution._taps_major(k.shape[-2], 1)
    return ConvTranspose(geo, rank, first, out_hw, layout).apply(x, k)


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
