"""The fused dense op: y = act(x @ w + b) as one node, batch-sliced when large.

Re-exported by `baro.ops.nn` (its historical home) and `baro.ops`.
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.convert import as_float, as_tensor, binary_operands
from baro.ops.parallel import add_in_order, map_slices

# Activations `Dense` applies in place, and their derivative in terms of the
# output y (relu'(0) = 0, as the standalone op).
DENSE_ACTIVATIONS = ("linear", "relu", "tanh")

# Batches of at least 2 x SLICE_ROWS rows are cut into a power of two of equal
# row slices (at least SLICE_ROWS rows each), each slice's matmuls, bias,
# activation and masks done by one call. The cut depends on the row count
# only, so results do not depend on threads. Run on parallel threads (fit's
# compiled step, see ops/parallel.py), the elementwise passes use every core
# and the step keeps BLAS on one thread: the MLP 784-512-512-10 at batch 1000
# went from 17.4 to 15.9 ms per step on 2 cores. Smaller batches stay whole:
# at 128 rows, halves cost more in thread hand-offs and smaller matmuls than
# they win (4.0 -> 5.3 ms).
SLICE_ROWS = 256


def row_slices(n: int) -> list[slice] | None:
    """The row slices of an n-row batch, or None for one whole batch."""
    if n < 2 * SLICE_ROWS:
        return None
    count = 1 << ((n // SLICE_ROWS).bit_length() - 1)  # largest 2^k <= n // rows
    bounds = [n * i // count for i in range(count + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _activate(z, activation: str, xp) -> None:
    if activation == "relu":
        xp.maximum(z, 0, out=z)
    elif activation == "tanh":
        xp.tanh(z, out=z)


def _times_derivative(g, y, activation: str):
    """g * act'(y) in terms of the output (a fresh array), or g for linear."""
    if activation == "relu":
        return g * (y > 0)
    if activation == "tanh":
        return g * (1 - y * y)
    return g


class Dense(Function):
    """y = act(x @ w + b) as one node, for act in linear, relu, tanh.

    Forward writes x @ w into a fresh buffer and adds the bias and applies the
    activation in place (no intermediate arrays). Leading axes of x are folded
    into the rows of one matrix product. With gz = g * act'(y), computed from
    the saved output (relu: y > 0; tanh: 1 - y^2):

        dx = gz @ w^T,   dw = x^T @ gz,   db = sum of gz over the rows.

    Below 2 x SLICE_ROWS rows these are the same NumPy calls in the same order
    as matmul, add and the activation op, so on 2-D inputs the results are
    bit-identical to that composition. Larger batches are computed by row
    slices (`row_slices`): the same per-row values, with dw and db summed
    slice by slice in slice order.
    """

    def __init__(self, activation: str) -> None:
        self.activation = activation

    def forward(self, x, w, *b):
        rows = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        xp = get_array_module(rows)
        parts = row_slices(rows.shape[0]) if xp is np else None
        if parts is None:
            z = rows @ w
            if b:
                z += b[0]
            _activate(z, self.activation, xp)
        else:
            z = np.empty((rows.shape[0], w.shape[1]), np.result_type(rows, w))
            activation = self.activation

            def work(part: slice) -> None:
                piece = z[part]
                np.matmul(rows[part], w, out=piece)
                if b:
                    piece += b[0]
                _activate(piece, activation, np)

            map_slices(lambda: work, parts)
        self.saved = (rows, w, z)
        return z if x.ndim == 2 else z.reshape(x.shape[:-1] + (w.shape[1],))

    def backward(self, g):
        rows, w, y = self.saved
        if g.ndim != 2:
            g = g.reshape(y.shape)
        inputs = self.inputs
        wants = [t.requires_grad for t in inputs]
        parts = row_slices(rows.shape[0]) if type(rows) is np.ndarray else None
        if parts is None:
            g = _times_derivative(g, y, self.activation)
            gx = g @ w.T if wants[0] else None
            gw = rows.T @ g if wants[1] else None
            gb = g.sum(axis=0) if len(inputs) == 3 and wants[2] else None
        else:
            gx, gw, gb = self._sliced_backward(g, rows, w, y, parts, wants)
        if gx is not None and inputs[0].ndim != 2:
            gx = gx.reshape(inputs[0].shape)
        return (gx, gw) if len(inputs) == 2 else (gx, gw, gb)

    def _sliced_backward(self, g, rows, w, y, parts, wants):
        gx = np.empty(rows.shape, g.dtype) if wants[0] else None
        activation = self.activation
        want_b = len(wants) == 3 and wants[2]

        def work(part: slice):
            gz = _times_derivative(g[part], y[part], activation)
            if gx is not None:
                np.matmul(gz, w.T, out=gx[part])
            return (rows[part].T @ gz if wants[1] else None,
                    gz.sum(axis=0) if want_b else None)

        partial = map_slices(lambda: work, parts)
        gw = add_in_order([p[0] for p in partial]) if wants[1] else None
        gb = add_in_order([p[1] for p in partial]) if want_b else None
        return gx, gw, gb


def dense(x, kernel, bias=None, activation: str = "linear"):
    """`activation(x @ kernel + bias)` in one fused node (the Dense layer's math).

    Args:
        x: Input of shape `(..., input_dim)`.
        kernel: Weights of shape `(input_dim, units)`.
        bias: Optional vector of shape `(units,)` (default None).
        activation: One of "linear" (default), "relu", "tanh".

    Returns:
        A tensor of shape `(..., units)`.

    Raises:
        ValueError: If the shapes do not fit or the activation is not one of
            the fused ones, naming what was received.

    Example:
        >>> import baro
        >>> from baro.ops.nn import dense
        >>> dense(baro.ones((2, 3)), baro.ones((3, 4)), baro.ones(4), "relu").numpy()
        array([[4., 4., 4., 4.],
               [4., 4., 4., 4.]], dtype=float32)
    """
    if activation not in DENSE_ACTIVATIONS:
        raise ValueError(
            f"dense: activation must be one of {DENSE_ACTIVATIONS}, received "
            f"{activation!r}. Apply other activations to the linear output.")
    x, kernel = binary_operands(as_float(x, "dense"), as_float(kernel, "dense"))
    if kernel.ndim != 2 or x.ndim < 1 or x.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"dense: x has shape {x.shape} and kernel {kernel.shape}; the kernel "
            f"must be (input_dim, units) with input_dim = x.shape[-1].")
    if bias is None:
        return Dense(activation).apply(x, kernel)
    bias = as_tensor(bias, kernel.data.dtype)
    if bias.shape != (kernel.shape[1],):
        raise ValueError(
            f"dense: bias has shape {bias.shape}, expected ({kernel.shape[1]},) "
            f"for a kernel of shape {kernel.shape}.")
    return Dense(activation).apply(x, kernel, bias)

