"""Max and average pooling (1-D and 2-D).

Both pools loop over the pool window's positions only; each step is one
vectorized pass over every output cell (a strided slice of the padded input).
When the windows tile the input (strides == pool_size, no padding: the usual
MaxPooling2D(2)), every input cell belongs to at most one window, so backward
writes each position's gradient straight into its slice of the result: no
zero-filled buffer, no accumulation, and only the uncovered edge is zeroed.
Those passes run over the batch a slice at a time (as convolutions do, see
conv_kernels.py), so the later passes over a slice find it in cache.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.conv_kernels import batch_slices, fill_source, source_buffer, store_grad
from baro.ops.convert import as_float
from baro.ops.parallel import map_slices
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


def _positions(geo: Geometry):
    kh, kw = geo.kernel
    return [(i, j) for i in range(kh) for j in range(kw)]


def _tiles(geo: Geometry) -> bool:
    """True when windows neither overlap nor touch padding."""
    return geo.strides == geo.kernel and not any(p for pair in geo.pads for p in pair)


def _slices(in_shape, geo: Geometry, itemsize: int) -> list[slice]:
    """Batch slices whose input, outputs and gradients stay in cache together."""
    n, h, w, c = in_shape
    (top, bottom), (left, right) = geo.pads
    padded = (h + top + bottom) * (w + left + right) * c
    cells = geo.out_hw[0] * geo.out_hw[1] * c
    return batch_slices(n, itemsize * (2 * padded + 3 * cells))


class _Cells:
    """Per-thread view maker: the window positions' (n, OH, OW, C) strided
    views of a batch slice, padded with `fill` through a reused buffer."""

    def __init__(self, xp, in_shape, geo: Geometry, dtype, fill, parts) -> None:
        self.geo = geo
        self.pad = source_buffer(xp, (parts[0].stop,) + tuple(in_shape[1:]), geo,
                                 False, dtype, fill)

    def __call__(self, x):
        src = fill_source(x, self.geo, False, self.pad)
        return [src[(slice(None),) + self.geo.window(i, j)]
                for i, j in _positions(self.geo)]


class _Scatter:
    """Per-thread adder of each window position's (n, OH, OW, C) gradient into
    a slice of the input gradient.

    Called with `parts(p, out)`, which writes position p's gradient into `out`:
    the position's own slice of the result when windows tile the input (each
    cell then belongs to at most one window: no zero-fill, no accumulation),
    else a temporary added into a zeroed padded accumulator.
    """

    def __init__(self, xp, in_shape, geo: Geometry, dtype, parts) -> None:
        self.geo, self.xp = geo, xp
        self.tiles = _tiles(geo)
        step = parts[0].stop
        self.acc = None if self.tiles else source_buffer(
            xp, (step,) + tuple(in_shape[1:]), geo, False, dtype)
        self.tmp = None if self.tiles else xp.empty(
            (step,) + geo.out_hw + (in_shape[-1],), dtype=dtype)

    def __call__(self, parts, gx) -> None:
        geo, positions = self.geo, _positions(self.geo)
        if self.tiles:
            for p, (i, j) in enumerate(positions):
                parts(p, gx[(slice(None),) + geo.window(i, j)])
            (oh, ow), (kh, kw) = geo.out_hw, geo.kernel
            gx[:, oh * kh:] = 0  # rows and columns no window covers
            gx[:, :, ow * kw:] = 0
            return
        n = gx.shape[0]
        acc = gx if self.acc is None else self.acc[:n]
        acc.fill(0)
        tmp = self.tmp[:n]
        for p, (i, j) in enumerate(positions):
            parts(p, tmp)
            window = acc[(slice(None),) + geo.window(i, j)]
            self.xp.add(window, tmp, out=window)
        if self.acc is not None:
            store_grad(gx, acc, geo, False)


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
        geo = self.geo
        parts = _slices(x.shape, geo, x.dtype.itemsize)
        n_cells = len(_positions(geo))
        kind = np.min_scalar_type(n_cells).type
        shape = (x.shape[0],) + geo.out_hw + (x.shape[-1],)
        best = scratch(xp, shape, x.dtype, "max_pool_out")
        index = scratch(xp, shape, kind, "max_pool_index")
        step = (parts[0].stop,) + shape[1:]

        def make_work():
            cells_of = _Cells(xp, x.shape, geo, x.dtype, -np.inf, parts)
            better = xp.empty(step, dtype=bool)
            marked = xp.empty(step, dtype=kind)

            def work(part):
                cells = cells_of(x[part])
                top, where = best[part], index[part]
                if n_cells == 1:
                    top[...] = cells[0]
                    where.fill(0)
                    return
                # Strictly greater keeps the first maximum on ties.
                xp.greater(cells[1], cells[0], out=where)
                xp.maximum(cells[0], cells[1], out=top)
                m = top.shape[0]
                for p in range(2, n_cells):
                    # p only grows, so max(index, better * p) sets p where
                    # better (masked copies are slow).
                    xp.greater(cells[p], top, out=better[:m])
                    xp.maximum(where, xp.multiply(better[:m], kind(p),
                                                  out=marked[:m]), out=where)
                    xp.maximum(top, cells[p], out=top)

            return work

        map_slices(make_work, parts, xp)
        self.saved = (index,)
        self.x_shape = x.shape
        return from_nhwc(best, self.rank, self.first)

    def backward(self, g):
        index = self.saved[0]
        g = to_nhwc(g, self.rank, self.first)
        xp = get_array_module(g)
        geo, x_shape = self.geo, self.x_shape
        parts = _slices(x_shape, geo, g.dtype.itemsize)
        gx = scratch(xp, x_shape, g.dtype, "pool_grad")
        step = (parts[0].stop,) + index.shape[1:]

        def make_work():
            scatter = _Scatter(xp, x_shape, geo, g.dtype, parts)
            hit = xp.empty(step, dtype=bool)

            def work(part):
                gs, where = g[part], index[part]
                is_p = hit[:gs.shape[0]]

                def route(p, out):
                    xp.multiply(gs, xp.equal(where, p, out=is_p), out=out)

                scatter(route, gx[part])

            return work

        map_slices(make_work, parts, xp)
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
        geo = self.geo
        self.scale = scale = self._scale(x.shape[1:3], x.dtype, xp)
        self.x_shape = x.shape
        parts = _slices(x.shape, geo, x.dtype.itemsize)
        total = scratch(xp, (x.shape[0],) + geo.out_hw + (x.shape[-1],), x.dtype,
                        "avg_pool_out")

        def make_work():
            cells_of = _Cells(xp, x.shape, geo, x.dtype, 0, parts)

            def work(part):
                cells = cells_of(x[part])
                out = total[part]
                out[...] = cells[0]
                for cell in cells[1:]:
                    xp.add(out, cell, out=out)
                xp.multiply(out, scale, out=out)

            return work

        map_slices(make_work, parts, xp)
        return from_nhwc(total, self.rank, self.first)

    def backward(self, g):
        g = to_nhwc(g, self.rank, self.first) * self.scale
        xp = get_array_module(g)
        parts = _slices(self.x_shape, self.geo, g.dtype.itemsize)
        gx = scratch(xp, self.x_shape, g.dtype, "pool_grad")

        def make_work():
            scatter = _Scatter(xp, self.x_shape, self.geo, g.dtype, parts)

            def work(part):
                gs = g[part]

                def spread(p, out):
                    out[...] = gs

                scatter(spread, gx[part])

            return work

        map_slices(make_work, parts, xp)
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
