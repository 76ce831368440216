"""Shared machinery of the fused recurrent ops (`lstm.py`, `gru.py`,
`simple_rnn.py`; overview in `recurrent.py`).

- the activation tables: in-place activations, and their derivatives written
  with the output (`ACTIVATIONS` names the ones with a fused kernel);
- `_Workspace`, the pool of large buffers reused from call to call;
- projections `w^T @ x` with optional per-gate dropout masks, and their
  gradients over all timesteps at once;
- `_Sequence`, the Function base that handles layouts, step masks, outputs and
  their gradients; `_Linear`, the stacked `[h; x; 1]` step matmul LSTM and
  SimpleRNN share.

The argument checks every public function runs are in `rnn_arguments.py`.
"""

from __future__ import annotations

import threading

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.rnn_slices import BatchSliced

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid")


def _activate(xp, name: str, a, prescaled: bool = False) -> None:
    """a = f(a) in place; `prescaled`: a holds z / 2 for a sigmoid."""
    if name == "tanh":
        xp.tanh(a, out=a)
    elif name == "sigmoid":
        if not prescaled:
            a *= 0.5
        # s(z) = (tanh(z / 2) + 1) / 2: one transcendental pass, no overflow.
        xp.tanh(a, out=a)
        a *= 0.5
        a += 0.5
    elif name == "relu":
        xp.maximum(a, 0, out=a)
    elif name == "hard_sigmoid":
        # Keras 3: relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1).
        a *= 1.0 / 6.0
        a += 0.5
        xp.clip(a, 0, 1, out=a)


def _apply(xp, name: str, x, out) -> None:
    """out = f(x)."""
    if name == "tanh":
        xp.tanh(x, out=out)
    else:
        out[...] = x
        _activate(xp, name, out)


def _times_derivative(xp, name: str, y, g, tmp) -> None:
    """g *= f'(x), written with the output y = f(x); tmp is scratch shaped like y.

    Kinks follow baro's ops: relu'(0) = 0, hard_sigmoid' = 0 where it saturates.
    """
    if name == "tanh":
        xp.multiply(y, y, out=tmp)
        xp.subtract(1, tmp, out=tmp)
        g *= tmp
    elif name == "sigmoid":
        xp.subtract(1, y, out=tmp)
        tmp *= y
        g *= tmp
    elif name == "relu":
        g *= y > 0
    elif name == "hard_sigmoid":
        g *= (y > 0) & (y < 1)
        g *= 1.0 / 6.0


_pool_lock = threading.RLock()


class _Workspace:
    """Large buffers reused from call to call.

    A fused call needs a dozen arrays of megabytes; fresh ones page-fault on
    first touch (the allocator hands freed large blocks back to the system),
    which cost ~20% of an LSTM epoch. Buffers are taken in forward and return to
    the pool when the op's saved state is released (after backward, or at once
    when no graph is recorded), so two live graphs never share one. The pool
    keeps at most `limit` bytes, dropping the least recently used shapes first.
    """

    free: dict = {}  # (shape, dtype, array module) -> arrays, oldest key first
    pooled = [0]
    limit = 256 * 2**20

    def __init__(self, xp) -> None:
        self.xp = xp
        self.taken: list = []

    def empty(self, shape, dtype):
        """An uninitialized array, from the pool when one of its kind is free."""
        with _pool_lock:  # batch slices of one op take buffers on threads
            return self._empty(shape, dtype)

    def _empty(self, shape, dtype):
        pool = type(self)
        key = (tuple(shape), np.dtype(dtype).str, id(self.xp))
        stack = pool.free.pop(key, None)
        if stack:
            array = stack.pop()
            pool.pooled[0] -= array.nbytes
            if stack:
                pool.free[key] = stack  # most recently used last
        else:
            array = self.xp.empty(shape, dtype=dtype)
        self.taken.append((key, array))
        return array

    def release(self) -> None:
        """Returns every array taken to the pool (within its byte limit)."""
        with _pool_lock:
            self._release()

    def _release(self) -> None:
        # type(self), not the module global: this also runs at interpreter exit.
        pool = type(self)
        for key, array in self.taken:
            while pool.free and pool.pooled[0] + array.nbytes > pool.limit:
                oldest = next(iter(pool.free))
                stack = pool.free[oldest]
                pool.pooled[0] -= stack.pop().nbytes
                if not stack:
                    del pool.free[oldest]
            if pool.pooled[0] + array.nbytes <= pool.limit:
                pool.free.setdefault(key, []).append(array)
                pool.pooled[0] += array.nbytes
        self.taken = []

    def __del__(self) -> None:
        self.release()


# -- projections w^T @ x with optional per-gate dropout masks ------------------------
def _blocks(n: int, masks):
    size = n // len(masks)
    return [(slice(j * size, (j + 1) * size), m) for j, m in enumerate(masks)]


def _project(xp, w_t, x, masks, out=None):
    """w_t (N, F) @ x (..., F, B) -> (..., N, B). With dropout masks (G, F, B),
    row block j of the result is w_t_j @ (x * masks[j]) (one mask: all blocks)."""
    if out is None:
        out = xp.empty(x.shape[:-2] + (w_t.shape[0], x.shape[-1]), dtype=x.dtype)
    if masks is None or len(masks) == 1:
        xp.matmul(w_t, x if masks is None else x * masks[0], out=out)
        return out
    for block, m in _blocks(w_t.shape[0], masks):
        out[..., block, :] = xp.matmul(w_t[block], x * m)
    return out


def _project_input_grad(xp, w, g, masks):
    """d/dx of sum(g * _project(w.T, x, masks)), with w (F, N), g (..., N, B)."""
    if masks is None:
        return xp.matmul(w, g)
    if len(masks) == 1:
        return xp.matmul(w, g) * masks[0]
    total = 0
    for block, m in _blocks(w.shape[1], masks):
        total = total + xp.matmul(w[:, block], g[..., block, :]) * m
    return total


def _flat(a, ws):
    """(T, N, B) -> (N, T * B) in a workspace buffer (whole rows of B move)."""
    steps, n, batch = a.shape
    out = ws.empty((n, steps * batch), a.dtype)
    out.reshape(n, steps, batch)[...] = a.transpose(1, 0, 2)
    return out


def _project_weight_grad(xp, x, g, masks, ws):
    """d/dw (F, N) of sum(g * _project(w.T, x, masks)) over all steps at once:
    x (T, F, B), g (T, N, B)."""
    if masks is None or len(masks) == 1:
        x = x if masks is None else x * masks[0]
        return _flat(x, ws) @ _flat(g, ws).T
    out = xp.empty((x.shape[1], g.shape[1]), dtype=x.dtype)
    for block, m in _blocks(g.shape[1], masks):
        out[:, block] = _flat(x * m, ws) @ _flat(g[:, block], ws).T
    return out


def _recurrent_into(xp, w_t, h, masks, out) -> None:
    """out = w_t @ h (with recurrent dropout masks as in `_project`)."""
    if masks is None:
        xp.matmul(w_t, h, out=out)
    else:
        out[...] = _project(xp, w_t, h, masks)


def _zeros_or(xp, g, shape, dtype):
    """A fresh (units, batch) gradient buffer: zeros, or g (batch, units)."""
    if g is None:
        return xp.zeros(shape, dtype=dtype)
    return xp.array(g.T, dtype=dtype, order="C")


class _Sequence(BatchSliced, Function):
    """Shared plumbing: layouts, step masks, outputs and their gradients.

    Subclasses write `_forward_whole` and `_backward_whole` with the step loops
    (`BatchSliced` runs them whole or by batch slices) and set `n_states`;
    states are kept as (T + 1, units, batch) buffers, entry 0 the initial state.
    """

    n_states = 1

    def __init__(self, go_backwards: bool, return_sequences: bool,
                 zero_output_for_mask: bool, activation: str,
                 recurrent_activation: str, extras: tuple = ()) -> None:
        self.go_backwards = go_backwards
        self.return_sequences = return_sequences
        self.zero_output_for_mask = zero_output_for_mask
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        # The trailing inputs after the bias, by name: "mask", "input_masks",
        # "recurrent_masks". They are op inputs, not attributes, so a replayed
        # plan (compiled fit) feeds each batch's mask and fresh dropout draws.
        self.extras = tuple(extras)
        self.mask = self.input_masks = self.recurrent_masks = None

    def _take_extras(self, rest) -> tuple:
        """Splits forward's trailing inputs: returns the bias as `(bias,)` or
        `()`, and sets this call's step mask and dropout masks (G, F, B)."""
        n = len(rest) - len(self.extras)
        values = dict(zip(self.extras, rest[n:], strict=True))
        mask = values.get("mask")
        self.mask = None if mask is None else mask.astype(bool, copy=False)
        dtype = rest[0].dtype if n else None
        self.input_masks = _transposed(values.get("input_masks"), dtype)
        self.recurrent_masks = _transposed(values.get("recurrent_masks"), dtype)
        return tuple(rest[:n])

    def _needs(self) -> list:
        """Which inputs need a gradient, the extras (never differentiated) left out."""
        needs = [t.requires_grad for t in self.inputs]
        return needs[:len(needs) - len(self.extras)]

    def _prepare(self, xp, x):
        """x (B, T, F) -> (T, F, B) in processing order; sets the step masks."""
        xt = x.transpose(1, 2, 0)
        if self.go_backwards:
            xt = xt[::-1]
        # keep/skip: (T, 1, B) step masks; scale: what multiplies the states to
        # give the outputs (None when it is all ones).
        self.skip = self.scale = None
        if self.mask is not None:
            keep = self.mask.T[:, None, :]
            if self.go_backwards:
                keep = keep[::-1]
            keep = xp.ascontiguousarray(keep)
            if not keep.all():
                self.keep = keep.astype(x.dtype)
                self.skip = ~keep
                self.skip_f = self.skip.astype(x.dtype)
                seen = keep if self.zero_output_for_mask else \
                    xp.cumsum(keep, axis=0) > 0
                if not seen.all():
                    self.scale = seen.astype(x.dtype)
        return xt

    def _outputs(self, xp, h):
        """The output (B, T, u) or (B, u) from the states h (T + 1, u, B)."""
        if self.return_sequences:
            seq = h[1:] if self.scale is None else h[1:] * self.scale
            return seq.transpose(2, 0, 1).copy()  # a copy: h is a pooled buffer
        last = h[-1] if self.scale is None else h[-1] * self.scale[-1]
        return last.T.copy()

    def _output_grads(self, xp, g_out, dh):
        """Adds the last output's gradient to dh (u, B); returns the gradients of
        the sequence output as (T, u, B), or None."""
        if g_out is None:
            return None
        if not self.return_sequences:
            dh += g_out.T if self.scale is None else g_out.T * self.scale[-1]
            return None
        g = xp.ascontiguousarray(g_out.transpose(1, 2, 0))
        return g if self.scale is None else g * self.scale

    def _split_masked(self, t, dh):
        """A masked step passes its state through: returns the part of dh that
        skips the cell and leaves in dh the part that reaches it."""
        carry = dh * self.skip_f[t]
        dh *= self.keep[t]
        return carry

    def _input_grad(self, dx):
        """The input gradient (T, F, B) in processing order -> (B, T, F)."""
        if dx is None:
            return None
        if self.go_backwards:
            dx = dx[::-1]
        return dx.transpose(2, 0, 1)

    @staticmethod
    def _needs_weights(needs, n_states: int) -> bool:
        """Whether any of kernel, recurrent_kernel, bias needs a gradient."""
        return any(needs[1:3]) or any(needs[3 + n_states:])

    def _gradients(self, ws, lin, dz_all, needs, columns, states):
        """(d x, d kernel, d recurrent_kernel, *d states, [d bias]), with the
        weight gradients' columns put back in Keras's order."""
        dx = self._input_grad(lin.input_grad(dz_all) if needs[0] else None)
        weights = [None, None, None]
        if self._needs_weights(needs, len(states)):
            xp = get_array_module(dz_all)
            weights = [xp.ascontiguousarray(g[..., columns])
                       for g in lin.grads(dz_all, ws)]
        ws.release()
        grads = [dx, weights[0] if needs[1] else None,
                 weights[1] if needs[2] else None]
        grads += [s.T if need else None
                  for s, need in zip(states, needs[3:], strict=False)]
        if len(needs) > 3 + len(states):
            grads.append(weights[2] if needs[-1] else None)
        return tuple(grads) + (None,) * len(self.extras)


def _transposed(masks, dtype):
    """Dropout masks (B, F) or (G, B, F) -> (1 or G, F, B) in `dtype`."""
    if masks is None:
        return None
    if masks.ndim == 2:
        masks = masks[None]
    return masks.transpose(0, 2, 1).astype(dtype)


def _half_rows(w_t, rows: int):
    """A copy of w_t (N, ...) with its first `rows` rows halved (a sigmoid's z/2)."""
    w_t = w_t.copy()
    w_t[:rows] *= 0.5
    return w_t


class _Linear:
    """The pre-activations of every step, z_t = x_t @ W + h_{t-1} @ U + b, kept
    as (T, N, B) slabs, and their gradients over all steps.

    Without per-gate dropout masks, h_{t-1}, x_t and a row of ones are stacked in
    one buffer s_t = [h_{t-1}; x_t; 1], so a step is one matmul with [U; W; b]^T
    and backward gets [dU; dW; db] from one matmul over all steps. With per-gate
    masks (Keras's recurrent_dropout) x and h are projected gate by gate. The
    first `halved` rows of z are computed halved (pre-scaled sigmoid gates).

    Attributes:
        h: The states (T + 1, units, B); h[0] is the initial state.
        z: The pre-activations (T, N, B), filled by `step(t)`.
    """

    def __init__(self, ws, xt, kernel, recurrent_kernel, bias, in_masks, rec_masks,
                 halved: int) -> None:
        steps, features, batch = xt.shape
        units, n = recurrent_kernel.shape
        self.xp = xp = ws.xp
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        self.in_masks, self.rec_masks = in_masks, rec_masks
        self.stacked = rec_masks is None and (in_masks is None or len(in_masks) == 1)
        self.z = ws.empty((steps, n, batch), xt.dtype)
        if self.stacked:
            self.s = ws.empty((steps + 1, units + features + 1, batch), xt.dtype)
            self.s[:steps, units:-1] = xt if in_masks is None else xt * in_masks[0]
            self.s[:, -1] = 1
            self.h = self.s[:, :units]
            b = xp.zeros((1, n), xt.dtype) if bias is None else bias[None]
            w = xp.concatenate([recurrent_kernel, kernel, b], axis=0)
            self.w_t = _half_rows(w.T, halved)
        else:
            self.xt = xt
            self.h = ws.empty((steps + 1, units, batch), xt.dtype)
            _project(xp, _half_rows(kernel.T, halved), xt, in_masks, out=self.z)
            if bias is not None:
                self.z += _half_rows(bias, halved)[:, None]
            self.r_t = _half_rows(recurrent_kernel.T, halved)
            self.rec = xp.empty((n, batch), dtype=xt.dtype)

    def step(self, t: int):
        """Computes and returns z[t] from h[t] and x_t."""
        z = self.z[t]
        if self.stacked:
            self.xp.matmul(self.w_t, self.s[t], out=z)
        else:
            _recurrent_into(self.xp, self.r_t, self.h[t], self.rec_masks, self.rec)
            z += self.rec
        return z

    def begin_backward(self, ws, keep_all: bool, weights: bool):
        """The dz slabs backward fills: (T, N, B) when every step's dz is needed
        afterwards (`keep_all`, for the input gradient, or for weight gradients
        without stacking), else one (1, N, B) slab reused at every step.

        Stacked, the weight gradient [dU; dW; db]^T = sum_t dz_t s_t^T is summed
        step by step in `back_step`, while dz_t is still in cache: that spares
        writing all the dz and copying both operands into (N, T * B) layouts.
        (dz_t s_t^T rather than s_t dz_t^T: OpenBLAS splits that product better
        over two threads, ~1.2x faster there, and no slower on one.)
        """
        steps, n, batch = self.z.shape
        self.acc = None
        if weights and self.stacked:
            # Not pooled: the returned gradients are views of it.
            self.acc = self.xp.empty((n, self.s.shape[1]), self.z.dtype)
            self.acc_step = ws.empty(self.acc.shape, self.z.dtype)
        keep_all = keep_all or (weights and not self.stacked)
        return ws.empty((steps if keep_all else 1, n, batch), self.z.dtype)

    def back_step(self, t: int, dz, dh, need_dh: bool = True) -> None:
        """dh = d/dh_{t-1} of step t's matmul given dz = d/dz_t (steps run last
        first); adds step t's share of the weight gradient."""
        xp = self.xp
        if self.acc is not None:
            if t == self.z.shape[0] - 1:
                xp.matmul(dz, self.s[t].T, out=self.acc)
            else:
                xp.matmul(dz, self.s[t].T, out=self.acc_step)
                self.acc += self.acc_step
        if not need_dh:
            return
        if self.rec_masks is None:
            xp.matmul(self.recurrent_kernel, dz, out=dh)
        else:
            dh[...] = _project_input_grad(xp, self.recurrent_kernel, dz,
                                          self.rec_masks)

    def grads(self, dz, ws):
        """(d kernel, d recurrent_kernel, d bias): what `back_step` summed when
        stacked (transposed views), else from all the dz (T, N, B)."""
        xp = self.xp
        if self.stacked:
            units, features = self.h.shape[1], self.kernel.shape[0]
            g = self.acc.T
            return g[units:units + features], g[:units], g[-1]
        return (_project_weight_grad(xp, self.xt, dz, self.in_masks, ws),
                _project_weight_grad(xp, self.h[:-1], dz, self.rec_masks, ws),
                dz.sum(axis=(0, 2)))

    def input_grad(self, dz):
        """d x (T, F, B) from all the dz."""
        return _project_input_grad(self.xp, self.kernel, dz, self.in_masks)
