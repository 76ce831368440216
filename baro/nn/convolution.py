"""`tf.nn` convolution and pooling: TF's argument names, layouts and stride lists.

TF passes strides, dilations and window sizes as an int or as lists of length 1,
the spatial rank, or the full rank (batch and channel entries must be 1), and
names layouts "NHWC"/"NCHW" ("NWC"/"NCW" in 1-D). These adapters translate to
`baro.ops` (Keras semantics) and add nothing else.
"""

from __future__ import annotations

import numpy as np

from baro.ops import average_pool, conv, conv_transpose
from baro.ops import max_pool as _max_pool
from baro.ops.convert import as_tensor

_FIRST = {"NCHW", "NCW", "NCDHW", "channels_first"}
_LAST = {"NHWC", "NWC", "NDHWC", "channels_last", None}


def _format(data_format, op: str) -> str:
    if data_format in _FIRST:
        return "channels_first"
    if data_format in _LAST:
        return "channels_last"
    raise ValueError(f"{op}: data_format must be one of NHWC, NCHW, NWC, NCW; "
                     f"received {data_format!r}.")


def _spatial(value, rank: int, data_format: str, name: str, op: str):
    """Picks the spatial entries of a TF stride/dilation/ksize argument."""
    if value is None:
        return 1
    if np.ndim(value) == 0:
        return int(value)
    values = [int(v) for v in value]
    if len(values) == 1:
        return values[0]
    if len(values) == rank:
        return tuple(values)
    if len(values) == rank + 2:
        outer = (values[0], values[1]) if data_format == "channels_first" else \
            (values[0], values[-1])
        if outer != (1, 1):
            raise ValueError(f"{op}: {name} {values} must be 1 on the batch and "
                             "channel axes.")
        inner = values[2:] if data_format == "channels_first" else values[1:-1]
        return tuple(inner)
    raise ValueError(f"{op}: {name} must have 1, {rank} or {rank + 2} entries, "
                     f"received {values}.")


def _padding(padding, op: str) -> str:
    if not isinstance(padding, str):
        raise ValueError(f"{op}: only 'SAME' and 'VALID' padding are supported, "
                         f"received {padding!r}; pad explicitly with baro.pad.")
    return padding


def conv1d(input, filters, stride, padding, data_format="NWC",  # noqa: A002
           dilations=None):
    """1-D convolution; filters (width, in_channels, out_channels)."""
    fmt = _format(data_format, "conv1d")
    return conv(input, filters, _spatial(stride, 1, fmt, "stride", "conv1d"),
                _padding(padding, "conv1d"), fmt,
                _spatial(dilations, 1, fmt, "dilations", "conv1d"))


def conv2d(input, filters, strides, padding, data_format="NHWC",  # noqa: A002
           dilations=None):
    """2-D convolution; filters (height, width, in_channels, out_channels)."""
    fmt = _format(data_format, "conv2d")
    return conv(input, filters, _spatial(strides, 2, fmt, "strides", "conv2d"),
                _padding(padding, "conv2d"), fmt,
                _spatial(dilations, 2, fmt, "dilations", "conv2d"))


def conv2d_transpose(input, filters, output_shape, strides,  # noqa: A002
                     padding="SAME", data_format="NHWC", dilations=None):
    """Transposed 2-D convolution producing `output_shape`; filters are
    (height, width, out_channels, in_channels).

    Raises:
        ValueError: If no transposed convolution of these sizes gives
            `output_shape`.
    """
    op = "conv2d_transpose"
    fmt = _format(data_format, op)
    x = as_tensor(input)
    k = as_tensor(filters)
    shape = [int(s) for s in np.asarray(as_tensor(output_shape).data).reshape(-1)]
    target = shape[2:] if fmt == "channels_first" else shape[1:-1]
    size = x.shape[2:] if fmt == "channels_first" else x.shape[1:-1]
    strides = _spatial(strides, 2, fmt, "strides", op)
    dilations = _spatial(dilations, 2, fmt, "dilations", op)
    strides = (strides,) * 2 if np.ndim(strides) == 0 else strides
    dilations = (dilations,) * 2 if np.ndim(dilations) == 0 else dilations
    mode = _padding(padding, op).lower()
    output_padding = []
    for n, t, kk, s, d in zip(size, target, k.shape[:2], strides, dilations,
                              strict=True):
        k_eff = (kk - 1) * d + 1
        pad = k_eff // 2 if mode == "same" else 0
        output_padding.append(t - ((n - 1) * s + k_eff - 2 * pad))
    y = conv_transpose(x, k, strides, mode, tuple(output_padding), fmt, dilations)
    if list(y.shape) != shape:
        raise ValueError(f"{op}: the result has shape {y.shape}, but output_shape "
                         f"asks for {tuple(shape)}.")
    return y


def _pool(fn, rank, input, ksize, strides, padding, data_format, op):  # noqa: A002
    fmt = _format(data_format, op)
    return fn(input, _spatial(ksize, rank, fmt, "ksize", op),
              _spatial(strides, rank, fmt, "strides", op), _padding(padding, op), fmt)


def max_pool1d(input, ksize, strides, padding, data_format="NWC"):  # noqa: A002
    """1-D max pooling."""
    return _pool(_max_pool, 1, input, ksize, strides, padding, data_format,
                 "max_pool1d")


def max_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    """2-D max pooling."""
    return _pool(_max_pool, 2, input, ksize, strides, padding, data_format,
                 "max_pool2d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC"):  # noqa: A002
    """1-D average pooling ("SAME" averages over the real cells only)."""
    return _pool(average_pool, 1, input, ksize, strides, padding, data_format,
                 "avg_pool1d")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    """2-D average pooling ("SAME" averages over the real cells only)."""
    return _pool(average_pool, 2, input, ksize, strides, padding, data_format,
                 "avg_pool2d")


def max_pool(input, ksize, strides, padding, data_format=None):  # noqa: A002
    """Max pooling over a 3-D or 4-D input (rank taken from the input)."""
    rank = as_tensor(input).ndim - 2
    return _pool(_max_pool, rank, input, ksize, strides, padding, data_format,
                 "max_pool")


def avg_pool(input, ksize, strides, padding, data_format=None):  # noqa: A002
    """Average pooling over a 3-D or 4-D input (rank taken from the input)."""
    rank = as_tensor(input).ndim - 2
    return _pool(average_pool, rank, input, ksize, strides, padding, data_format,
                 "avg_pool")

