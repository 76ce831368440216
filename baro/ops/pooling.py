"""Max and average pooling (1-D and 2-D).

Both pools loop over the pool window's positions only; each step is one
vectorized pass over every output cell (a strided slice of the padded input).
When the windows tile the input (strides == pool_size, no padding: the usual
MaxPooling2D(2)), every input cell belongs to at most one window, so backward
writes each position's gradient straight into its slice of the result: no
zero-filled buffer, no accumulation, and only the uncovered edge is zeroed.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.convert import as_float
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


def _positions(geo: Geometry):
    kh, kw = geo.kernel
    return [(i, j) for i in range(kh) for j in range(kw)]


def _tiles(geo: Geometry) -> bool:
    """True when windows neither overlap nor touch padding."""
    return geo.strides == geo.kernel and not any(p for pair in geo.pads for p in pair)


def _scatter(parts, geo: Geometry, in_shape, dtype, xp):
    """Adds each window position's (N, OH, OW, C) gradient into the input.

    `parts(p, out)` gives position p's gradient, written into `out` when that
    is not None (the tiled case, where `out` is the position's own slice).
    """
    n, h, w, c = in_shape
    positions = _positions(geo)
    if _tiles(geo):
        out = scratch(xp, in_shape, dtype, "pool_grad")
        for p, (i, j) in enumerate(positions):
            parts(p, out[(slice(None),) + geo.window(i, j)])
        (oh, ow), (kh, kw) = geo.out_hw, geo.kernel
        out[:, oh * kh:] = 0  # rows and columns no window covers
        out[:, :, ow * kw:] = 0
        return out
    (top, bottom), (left, right) = geo.pads
    out = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=dtype)
    for p, (i, j) in enumerate(positions):
        out[(slice(None),) + geo.window(i, j)] += parts(p, None)
    return out[:, top:top + h, left:left + w]


class MaxPool(Function):
    """y = max of each window, padded cells excluded (padded with -inf);
    dx = g routed to the window's argmax (the first one on ties), summed where
    windows overlap.
    """

    def __init__(self, geo: Geometry, rank: int, first: bool) -> None:
        self.geo = geo
        self.rank = rank
        self.first = first

    def forward(self, x):
        xp = get_array_module(x)
        x = to_nhwc(x, self.rank, self.first)
        padded = pad_spatial(x, self.geo.pads, -np.inf)
        cells = [padded[(slice(None),) + self.geo.window(i, j)]
                 for i, j in _positions(self.geo)]
        kind = np.min_scalar_type(len(cells)).type
        if len(cells) == 1:
            best, index = cells[0].copy(), xp.zeros(cells[0].shape, dtype=kind)
        else:
            # Strictly greater keeps the first maximum on ties.
            index = xp.greater(cells[1], cells[0])
            index = index.view(kind) if index.itemsize == kind(0).itemsize else \
                index.astype(kind)
            best = xp.maximum(cells[0], cells[1], out=scratch(
                xp, cells[0].shape, cells[0].dtype, "max_pool_out"))
        for p in range(2, len(cells)):
            # p only grows, so max(index, better * p) sets p where better
            # (masked copies are slow).
            better = cells[p] > best
            xp.maximum(index, better * kind(p), out=index)
            xp.maximum(best, cells[p], out=best)
        self.saved = (index,)
        self.x_shape = x.shape
        return from_nhwc(best, self.rank, self.first)

    def backward(self, g):
        index = self.saved[0]
        g = to_nhwc(g, self.rank, self.first)
        xp = get_array_module(g)

        def part(p, out):
            return xp.multiply(g, index == p, out=out)

        gx = _scatter(part, self.geo, self.x_shape, g.dtype, xp)
        return from_nhwc(gx, self.rank, self.first)


class AveragePool(Function):
    """y = sum of each window's real cells / their count (TF: padded cells
    count for neither);  dx = g / count, spread over each window's cells.
    """

    def __init__(self, geo: Geometry, rank: int, first: bool) -> None:
        self.geo = geo
        self.rank = rank
        self.first = first

    def _scale(self, in_hw, dtype, xp):
        """1 / count per output cell: a Python float without padding, else an
        (OH, OW, 1) array of `dtype` (so float32 stays float32)."""
        geo = self.geo
        if not any(p for pair in geo.pads for p in pair):
            return 1.0 / (geo.kernel[0] * geo.kernel[1])
        counts = []
        for n, o, k, s, (before, _) in zip(in_hw, geo.out_hw, geo.kernel,
                                           geo.strides, geo.pads, strict=True):
            start = np.arange(o) * s - before
            counts.append(np.minimum(start + k, n) - np.maximum(start, 0))
        scale = 1.0 / (counts[0][:, None] * counts[1][None, :])
        return xp.asarray(scale[..., None], dtype=dtype)

    def forward(self, x):
        xp = get_array_module(x)
        x = to_nhwc(x, self.rank, self.first)
        padded = pad_spatial(x, self.geo.pads, 0)
        total = None
        for i, j in _positions(self.geo):
            cell = padded[(slice(None),) + self.geo.window(i, j)]
            if total is None:
                total = cell.copy()
            else:
                total += cell
        self.scale = self._scale(x.shape[1:3], x.dtype, xp)
        self.x_shape = x.shape
        return from_nhwc(total * self.scale, self.rank, self.first)

    def backward(self, g):
        g = to_nhwc(g, self.rank, self.first) * self.scale
        xp = get_array_module(g)

        def part(p, out):
            if out is None:
                return g
            out[...] = g
            return out

        gx = _scatter(part, self.geo, self.x_shape, g.dtype, xp)
        return from_nhwc(gx, self.rank, self.first)


def _pool(cls, inputs, pool_size, strides, padding, data_format, op, ranks):
    x = as_float(inputs, op)
    if x.ndim not in ranks:
        expected = " or ".join(
            f"rank {r} ({'batch, width' if r == 3 else 'batch, height, width'}, "
            f"channels) for {r - 2}-D pooling" for r in ranks)
        raise ValueError(
            f"{op}: inputs must have {expected} (channels_last shown); received "
            f"shape {x.shape}. Add a missing batch axis with expand_dims(x, 0).")
    rank = x.ndim - 2
    first = channels_first(data_format, op)
    mode = normalize_padding(padding, op)
    size = normalize_tuple(pool_size, rank, "pool_size", op)
    strides = size if strides is None else normalize_tuple(strides, rank,
                                                           "strides", op)
    spatial = tuple(x.shape[2:]) if first else tuple(x.shape[1:-1])
    geo = make_geometry(spatial, size, strides, (1,) * rank, mode)
    if min(geo.out_hw) < 1:
        raise ValueError(
            f"{op}: pool_size {size} is larger than the inputs' spatial size "
            f"{spatial} (shape {x.shape}) with padding='valid'; use "
            f"padding='same' or a smaller pool_size.")
    return cls(geo, rank, first).apply(x)


def max_pool(inputs, pool_size, strides=None, padding: str = "valid",
             data_format=None) -> Tensor:
    """Max pooling over 1-D or 2-D windows.

    Args:
        inputs: (batch, width, channels) or (batch, height, width, channels);
            channels right after batch for channels_first.
        pool_size: Int or tuple, the window size per spatial axis.
        strides: Int or tuple; None means pool_size (non-overlapping windows).
        padding: "valid" or "same" (any case). With "same", padded cells are
            ignored (as TF does) and the output size is ceil(n / stride).
        data_format: "channels_last" (default, also for None) or
            "channels_first".

    Returns:
        (batch, out_spatial..., channels) in the same data format.

    Raises:
        ValueError: For a wrong rank, an unknown padding or data format, or a
            window larger than the input with "valid" padding.

    Example:
        >>> import baro
        >>> x = baro.reshape(baro.range(16.0), (1, 4, 4, 1))
        >>> baro.ops.max_pool(x, 2)[0, :, :, 0].numpy()
        array([[ 5.,  7.],
               [13., 15.]], dtype=float32)
    """
    return _pool(MaxPool, inputs, pool_size, strides, padding, data_format,
                 "max_pool", (3, 4))


def average_pool(inputs, pool_size, strides=None, padding: str = "valid",
                 data_format=None) -> Tensor:
    """Average pooling over 1-D or 2-D windows.

    Args:
        inputs: (batch, width, channels) or (batch, height, width, channels);
            channels right after batch for channels_first.
        pool_size: Int or tuple, the window size per spatial axis.
        strides: Int or tuple; None means pool_size (non-overlapping windows).
        padding: "valid" or "same" (any case). With "same", each window is
            divided by its number of real (non-padded) cells, as TF does.
        data_format: "channels_last" (default, also for None) or
            "channels_first".

    Returns:
        (batch, out_spatial..., channels) in the same data format.

    Raises:
        ValueError: For a wrong rank, an unknown padding or data format, or a
            window larger than the input with "valid" padding.

    Example:
        >>> import baro
        >>> x = baro.reshape(baro.range(16.0), (1, 4, 4, 1))
        >>> baro.ops.average_pool(x, 2)[0, :, :, 0].numpy()
        array([[ 2.5,  4.5],
               [10.5, 12.5]], dtype=float32)
    """
    return _pool(AveragePool, inputs, pool_size, strides, padding, data_format,
                 "average_pool", (3, 4))


def max_pool1d(inputs, pool_size, strides=None, padding: str = "valid",
               data_format=None) -> Tensor:
    """`max_pool` for rank-3 inputs (batch, width, channels) only."""
    return _pool(MaxPool, inputs, pool_size, strides, padding, data_format,
                 "max_pool1d", (3,))


def max_pool2d(inputs, pool_size, strides=None, padding: str = "valid",
               data_format=None) -> Tensor:
    """`max_pool` for rank-4 inputs (batch, height, width, channels) only."""
    return _pool(MaxPool, inputs, pool_size, strides, padding, data_format,
                 "max_pool2d", (4,))


def avg_pool1d(inputs, pool_size, strides=None, padding: str = "valid",
               data_format=None) -> Tensor:
    """`average_pool` for rank-3 inputs (batch, width, channels) only."""
    return _pool(AveragePool, inputs, pool_size, strides, padding, data_format,
                 "avg_pool1d", (3,))


def avg_pool2d(inputs, pool_size, strides=None, padding: str = "valid",
               data_format=None) -> Tensor:
    """`average_pool` for rank-4 inputs (batch, height, width, channels) only."""
    return _pool(AveragePool, inputs, pool_size, strides, padding, data_format,
                 "avg_pool2d", (4,))
