"""Fused recurrent sequences: a whole LSTM, GRU or SimpleRNN pass as one op.

Stepping a cell with ordinary ops records a dozen graph nodes per timestep. These
ops run the full sequence in one `forward` and the whole backpropagation through
time in one `backward`, on raw arrays:

- each step is one matmul and the gate arithmetic in place, on time-major
  buffers allocated once, keeping what backward needs (activated gates, states,
  a(c)). LSTM and SimpleRNN stack [h_{t-1}; x_t; 1] so the step's matmul with
  [U; W; b] also does the input projection and the bias; GRU projects all
  inputs in one batched matmul first (its reset gate splits the recurrent part);
- backward walks the steps in reverse (one matmul each for dh_{t-1}) and leaves
  the weight gradients to one matmul over all timesteps at the end.

Inside, a step's arrays are feature-major, `(features, batch)`, so every gate is
a contiguous slab (NumPy is ~4x slower on strided column blocks), and the
sigmoid gates sit next to each other. With a sigmoid recurrent activation the
gate rows of the weights are pre-scaled by 1/2 so that s(z) = (tanh(z/2) + 1) / 2
costs one tanh for all gates at once (exact: scaling by 1/2 is exact in floats).
Large buffers come from a small pool (`_Workspace`) instead of fresh memory.

Keras semantics (`keras.layers.LSTM` / `GRU` / `SimpleRNN`):

- `mask` (B, T): a masked step carries the previous states; its output is the
  previous output (zeros before the first unmasked step), or zeros at every
  masked step with `zero_output_for_mask`.
- `go_backwards`: the sequence is processed last step first, and the output
  sequence is returned in processing order (reversed).
- dropout masks are drawn once per sequence and reused at every step: one
  `(B, F)` mask for all gates, or one per gate `(G, B, F)` (Keras uses per-gate
  masks when `recurrent_dropout > 0`), in Keras's gate order.

Activations are named: "tanh", "sigmoid", "relu", "linear", "hard_sigmoid" (the
ones whose derivative is a function of their output).
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import convert_to_array, get_array_module
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.convert import as_float, as_tensor

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


class _Sequence(Function):
    """Shared plumbing: layouts, step masks, outputs and their gradients.

    Subclasses write `forward` and `backward` with the step loops; states are kept
    as (T + 1, units, batch) buffers, entry 0 the initial state.
    """

    def __init__(self, mask, go_backwards: bool, return_sequences: bool,
                 zero_output_for_mask: bool, activation: str,
                 recurrent_activation: str, input_masks, recurrent_masks) -> None:
        self.mask = mask
        self.go_backwards = go_backwards
        self.return_sequences = return_sequences
        self.zero_output_for_mask = zero_output_for_mask
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        # Dropout masks (G, B, F) -> (G, F, B), like the step arrays.
        self.input_masks = _transposed(input_masks)
        self.recurrent_masks = _transposed(recurrent_masks)

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

    def _gradients(self, ws, lin, dz_all, needs, columns, states):
        """(d x, d kernel, d recurrent_kernel, *d states, [d bias]), with the
        weight gradients' columns put back in Keras's order."""
        dx = self._input_grad(lin.input_grad(dz_all) if needs[0] else None)
        weights = [None, None, None]
        if any(needs[1:3]) or any(needs[3 + len(states):]):
            weights = [g[..., columns] for g in lin.grads(dz_all, ws)]
        ws.release()
        grads = [dx, weights[0] if needs[1] else None,
                 weights[1] if needs[2] else None]
        grads += [s.T if need else None
                  for s, need in zip(states, needs[3:], strict=False)]
        if len(needs) > 3 + len(states):
            grads.append(weights[2] if needs[-1] else None)
        return tuple(grads)


def _transposed(masks):
    return None if masks is None else masks.transpose(0, 2, 1).copy()


def _gate_order(masks, order):
    """Per-gate dropout masks reordered like the gates; a single mask stays."""
    if masks is None or len(masks) == 1:
        return masks
    return masks[list(order)]


def _lstm_order(units: int):
    """Column permutation from Keras's i, f, c, o to the internal i, f, o, c."""
    return np.arange(4 * units).reshape(4, units)[[0, 1, 3, 2]].reshape(-1)


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
            b = xp.zeros((1, n), xt.dtype) if bias is None else bias[None]
            w = xp.concatenate([recurrent_kernel, kernel, b], axis=0)
            self.w_t = _half_rows(w.T, halved)
            self.h = self.s[:, :units]
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

    def back_step(self, dz, dh) -> None:
        """dh = d/dh_{t-1} of the step's matmul, given dz = d/dz_t."""
        if self.rec_masks is None:
            self.xp.matmul(self.recurrent_kernel, dz, out=dh)
        else:
            dh[...] = _project_input_grad(self.xp, self.recurrent_kernel, dz,
                                          self.rec_masks)

    def grads(self, dz, ws):
        """(d kernel, d recurrent_kernel, d bias) from all the dz (T, N, B)."""
        xp = self.xp
        if self.stacked:
            units, features = self.h.shape[1], self.kernel.shape[0]
            g = _flat(self.s[:-1], ws) @ _flat(dz, ws).T
            return g[units:units + features], g[:units], g[-1]
        return (_project_weight_grad(xp, self.xt, dz, self.in_masks, ws),
                _project_weight_grad(xp, self.h[:-1], dz, self.rec_masks, ws),
                dz.sum(axis=(0, 2)))

    def input_grad(self, dz):
        """d x (T, F, B) from all the dz."""
        return _project_input_grad(self.xp, self.kernel, dz, self.in_masks)


class LSTMSequence(_Sequence):
    """A whole LSTM sequence (Keras gate order i, f, c, o; Hochreiter 1997).

    Per step, with z = x_t @ W + h_{t-1} @ U + b split into gates:

        i = s(z_i),  f = s(z_f),  g = a(z_c),  o = s(z_o)
        c_t = f * c_{t-1} + i * g,   h_t = o * a(c_t)

    (s = recurrent_activation, a = activation). Backward, with dh_t, dc_t flowing
    from later steps and the outputs:

        dc_t += dh_t * o * a'(c_t);   dz_o = dh_t * a(c_t) * s'
        dz_i = dc_t * g * s',  dz_f = dc_t * c_{t-1} * s',  dz_c = dc_t * i * a'
        dc_{t-1} = dc_t * f,   dh_{t-1} = dz @ U^T

    then dW = X^T dZ, dU = H_{t-1}^T dZ, db = sum dZ over all steps at once.
    Internally the gates are stored i, f, o, c so the three sigmoid gates form one
    contiguous slab.
    """

    def forward(self, x, kernel, recurrent_kernel, h0, c0, *bias):
        xp = get_array_module(x)
        batch, u = h0.shape
        act, ract = self.activation, self.recurrent_activation
        # One tanh covers all four gates when s is a (pre-scaled) sigmoid.
        one_tanh = ract == "sigmoid" and act == "tanh"
        perm = _lstm_order(u)
        xt = self._prepare(xp, x)
        ws = _Workspace(xp)
        lin = _Linear(ws, xt, kernel[:, perm], recurrent_kernel[:, perm],
                      bias[0][perm] if bias else None,
                      _gate_order(self.input_masks, (0, 1, 3, 2)),
                      _gate_order(self.recurrent_masks, (0, 1, 3, 2)),
                      3 * u if ract == "sigmoid" else 0)
        h = lin.h
        h[0] = h0.T
        c = ws.empty(h.shape, x.dtype)
        c[0] = c0.T
        tc_all = ws.empty((xt.shape[0], u, batch), x.dtype)
        prod = xp.empty((u, batch), dtype=x.dtype)
        for t in range(xt.shape[0]):
            z = lin.step(t)
            if one_tanh:
                xp.tanh(z, out=z)
                s = z[:3 * u]
                s *= 0.5
                s += 0.5
            else:
                _activate(xp, ract, z[:3 * u], prescaled=True)
                _activate(xp, act, z[3 * u:])
            xp.multiply(z[u:2 * u], c[t], out=c[t + 1])
            xp.multiply(z[:u], z[3 * u:], out=prod)
            c[t + 1] += prod
            _apply(xp, act, c[t + 1], tc_all[t])
            xp.multiply(z[2 * u:3 * u], tc_all[t], out=h[t + 1])
            if self.skip is not None:
                xp.copyto(h[t + 1], h[t], where=self.skip[t])
                xp.copyto(c[t + 1], c[t], where=self.skip[t])
        self.saved = (lin, c, tc_all, perm, ws)
        return self._outputs(xp, h), h[-1].T.copy(), c[-1].T.copy()

    def backward(self, g_out, g_h, g_c):
        lin, c, tc_all, perm, _ = self.saved
        z_all = lin.z
        xp = get_array_module(z_all)
        steps, u, batch = tc_all.shape
        act, ract = self.activation, self.recurrent_activation
        dtype = z_all.dtype
        needs = [t.requires_grad for t in self.inputs]
        ws = _Workspace(xp)
        dz_all = ws.empty(z_all.shape, dtype)
        dh = _zeros_or(xp, g_h, (u, batch), dtype)
        dc = _zeros_or(xp, g_c, (u, batch), dtype)
        g_seq = self._output_grads(xp, g_out, dh)
        tmp = xp.empty((u, batch), dtype=dtype)
        tmp3 = xp.empty((3 * u, batch), dtype=dtype)
        for t in range(steps - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            if self.skip is not None:
                dh_carry = self._split_masked(t, dh)
                dc_carry = self._split_masked(t, dc)
            z, dz, tc = z_all[t], dz_all[t], tc_all[t]
            # dc += dh * o * a'(c_t), with a(c_t) kept from forward.
            xp.multiply(dh, z[2 * u:3 * u], out=dz[:u])
            _times_derivative(xp, act, tc, dz[:u], tmp)
            dc += dz[:u]
            xp.multiply(dc, z[3 * u:], out=dz[:u])
            xp.multiply(dc, c[t], out=dz[u:2 * u])
            xp.multiply(dh, tc, out=dz[2 * u:3 * u])
            _times_derivative(xp, ract, z[:3 * u], dz[:3 * u], tmp3)
            xp.multiply(dc, z[:u], out=dz[3 * u:])
            _times_derivative(xp, act, z[3 * u:], dz[3 * u:], tmp)
            dc *= z[u:2 * u]
            if t > 0 or needs[3] or needs[4]:
                lin.back_step(dz, dh)
            if self.skip is not None:
                dh += dh_carry
                dc += dc_carry
        return self._gradients(ws, lin, dz_all, needs, np.argsort(perm),
                               [dh, dc])


class GRUSequence(_Sequence):
    """A whole GRU sequence (Keras gate order z, r, h; Cho et al. 2014).

    With input projections x_z, x_r, x_h (input bias included) and, for
    `reset_after=True`, recurrent projections p = h_{t-1} @ U + b_rec:

        z = s(x_z + p_z),  r = s(x_r + p_r),  n = a(x_h + r * p_h)
        h_t = z * h_{t-1} + (1 - z) * n

    and for `reset_after=False`: z, r from h_{t-1} @ U_zr, n = a(x_h + (r * h_{t-1})
    @ U_h). Backward: dn = dh (1 - z) a',  dz = dh (h_{t-1} - n) s',
    dr = dn * p_h * s' (or (dn @ U_h^T) * h_{t-1} * s'),  dh_{t-1} = dh * z + the
    recurrent matmul's gradient; weight gradients once over all steps at the end.
    """

    def __init__(self, reset_after: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reset_after = reset_after

    def forward(self, x, kernel, recurrent_kernel, h0, *bias):
        xp = get_array_module(x)
        batch, u = h0.shape
        act, ract = self.activation, self.recurrent_activation
        half = ract == "sigmoid"
        rm = self.recurrent_masks
        xt = self._prepare(xp, x)
        steps = xt.shape[0]
        ws = _Workspace(xp)
        a_all = _project(xp, _half_rows(kernel.T, 2 * u * half), xt, self.input_masks,
                         out=ws.empty((steps, 3 * u, batch), x.dtype))
        if bias:
            b_in = bias[0][0] if self.reset_after else bias[0]
            a_all += _half_rows(b_in, 2 * u * half)[:, None]
        h = ws.empty((steps + 1, u, batch), x.dtype)
        h[0] = h0.T
        # reset_after: the candidate's recurrent projection p_h; else r * h_{t-1}.
        kept = ws.empty((steps, u, batch), x.dtype)
        tmp = xp.empty((u, batch), dtype=x.dtype)
        if self.reset_after:
            r_t = _half_rows(recurrent_kernel.T, 2 * u * half)
            rec = xp.empty((3 * u, batch), dtype=x.dtype)
            rec_bias = _half_rows(bias[0][1], 2 * u * half)[:, None] if bias else None
        else:
            r_zr_t = _half_rows(recurrent_kernel[:, :2 * u].T, 2 * u * half)
            r_h_t = xp.ascontiguousarray(recurrent_kernel[:, 2 * u:].T)
            rec = xp.empty((2 * u, batch), dtype=x.dtype)
            rm_zr, rm_h = _gate_slice(rm)
        for t in range(steps):
            a = a_all[t]
            if self.reset_after:
                _recurrent_into(xp, r_t, h[t], rm, rec)
                if rec_bias is not None:
                    rec += rec_bias
                a[:2 * u] += rec[:2 * u]
                _activate(xp, ract, a[:2 * u], prescaled=True)
                kept[t] = rec[2 * u:]
                xp.multiply(a[u:2 * u], kept[t], out=tmp)
            else:
                _recurrent_into(xp, r_zr_t, h[t], rm_zr, rec)
                a[:2 * u] += rec
                _activate(xp, ract, a[:2 * u], prescaled=True)
                h_in = h[t] if rm_h is None else h[t] * rm_h
                xp.multiply(a[u:2 * u], h_in, out=kept[t])
                xp.matmul(r_h_t, kept[t], out=tmp)
            a[2 * u:] += tmp
            _activate(xp, act, a[2 * u:])
            # h_t = n + z * (h_{t-1} - n)
            xp.subtract(h[t], a[2 * u:], out=h[t + 1])
            h[t + 1] *= a[:u]
            h[t + 1] += a[2 * u:]
            if self.skip is not None:
                xp.copyto(h[t + 1], h[t], where=self.skip[t])
        self.saved = (xt, kernel, recurrent_kernel, a_all, h, kept, ws)
        return self._outputs(xp, h), h[-1].T.copy()

    def backward(self, g_out, g_h):
        xt, kernel, recurrent_kernel, a_all, h, kept, _ = self.saved
        xp = get_array_module(a_all)
        steps, u, batch = kept.shape
        act, ract = self.activation, self.recurrent_activation
        dtype = a_all.dtype
        needs = [t.requires_grad for t in self.inputs]
        rm = self.recurrent_masks
        # dx_all: gradients of the input projection (z, r, h rows); with
        # reset_after, drec_all those of the recurrent projection.
        ws = _Workspace(xp)
        dx_all = ws.empty(a_all.shape, dtype)
        drec_all = ws.empty(a_all.shape, dtype) if self.reset_after else None
        r = xp.ascontiguousarray(recurrent_kernel)
        if not self.reset_after:
            r_zr, r_h = r[:, :2 * u], r[:, 2 * u:]
            rm_zr, rm_h = _gate_slice(rm)
        dh = _zeros_or(xp, g_h, (u, batch), dtype)
        g_seq = self._output_grads(xp, g_out, dh)
        tmp = xp.empty((u, batch), dtype=dtype)
        direct = xp.empty((u, batch), dtype=dtype)
        tmp2 = xp.empty((2 * u, batch), dtype=dtype)
        for t in range(steps - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            if self.skip is not None:
                dh_carry = self._split_masked(t, dh)
            a, dxt = a_all[t], dx_all[t]
            z, n = a[:u], a[2 * u:]
            dn = dxt[2 * u:]
            xp.subtract(1, z, out=dn)
            dn *= dh
            _times_derivative(xp, act, n, dn, tmp)
            xp.subtract(h[t], n, out=dxt[:u])
            dxt[:u] *= dh
            xp.multiply(dh, z, out=direct)
            if self.reset_after:
                xp.multiply(dn, kept[t], out=dxt[u:2 * u])
                _times_derivative(xp, ract, a[:2 * u], dxt[:2 * u], tmp2)
                drec = drec_all[t]
                drec[:2 * u] = dxt[:2 * u]
                xp.multiply(dn, a[u:2 * u], out=drec[2 * u:])
                if rm is None:
                    xp.matmul(r, drec, out=dh)
                else:
                    dh[...] = _project_input_grad(xp, r, drec, rm)
            else:
                d_in = r_h @ dn
                xp.multiply(d_in, h[t] if rm_h is None else h[t] * rm_h,
                            out=dxt[u:2 * u])
                _times_derivative(xp, ract, a[:2 * u], dxt[:2 * u], tmp2)
                d_in *= a[u:2 * u]
                if rm_h is not None:
                    d_in *= rm_h
                if rm_zr is None:
                    xp.matmul(r_zr, dxt[:2 * u], out=dh)
                else:
                    dh[...] = _project_input_grad(xp, r_zr, dxt[:2 * u], rm_zr)
                dh += d_in
            dh += direct
            if self.skip is not None:
                dh += dh_carry
        dx = None
        if needs[0]:
            dx = _project_input_grad(xp, kernel, dx_all, self.input_masks)
        grads = [self._input_grad(dx), None, None, dh.T if needs[3] else None]
        if needs[1]:
            grads[1] = _project_weight_grad(xp, xt, dx_all, self.input_masks, ws)
        if needs[2]:
            if self.reset_after:
                grads[2] = _project_weight_grad(xp, h[:-1], drec_all, rm, ws)
            else:
                grads[2] = xp.concatenate(
                    [_project_weight_grad(xp, h[:-1], dx_all[:, :2 * u], rm_zr, ws),
                     _flat(kept, ws) @ _flat(dx_all[:, 2 * u:], ws).T], axis=1)
        if len(needs) > 4:
            db = None
            if needs[4]:
                db = dx_all.sum(axis=(0, 2))
                if self.reset_after:
                    db = xp.stack([db, drec_all.sum(axis=(0, 2))])
            grads.append(db)
        ws.release()
        return tuple(grads)


def _gate_slice(masks):
    """Recurrent masks for the z, r rows and for the h rows (reset_after=False)."""
    if masks is None:
        return None, None
    if len(masks) == 1:
        return masks, masks[0]
    return masks[:2], masks[2]


class SimpleRNNSequence(_Sequence):
    """A whole fully connected RNN sequence: h_t = a(x_t @ W + h_{t-1} @ U + b).

    Backward: da_t = dh_t * a'(.), dh_{t-1} = da_t @ U^T; dW = X^T dA,
    dU = H_{t-1}^T dA, db = sum dA, once over all steps.
    """

    def forward(self, x, kernel, recurrent_kernel, h0, *bias):
        xp = get_array_module(x)
        xt = self._prepare(xp, x)
        ws = _Workspace(xp)
        lin = _Linear(ws, xt, kernel, recurrent_kernel, bias[0] if bias else None,
                      self.input_masks, self.recurrent_masks, 0)
        h = lin.h
        h[0] = h0.T
        for t in range(xt.shape[0]):
            a = lin.step(t)
            _activate(xp, self.activation, a)
            h[t + 1] = a
            if self.skip is not None:
                xp.copyto(h[t + 1], h[t], where=self.skip[t])
        self.saved = (lin, ws)
        return self._outputs(xp, h), h[-1].T.copy()

    def backward(self, g_out, g_h):
        lin = self.saved[0]
        a_all = lin.z
        xp = get_array_module(a_all)
        steps, u, batch = a_all.shape
        needs = [t.requires_grad for t in self.inputs]
        ws = _Workspace(xp)
        da_all = ws.empty(a_all.shape, a_all.dtype)
        dh = _zeros_or(xp, g_h, (u, batch), a_all.dtype)
        g_seq = self._output_grads(xp, g_out, dh)
        tmp = xp.empty((u, batch), dtype=a_all.dtype)
        for t in range(steps - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            if self.skip is not None:
                dh_carry = self._split_masked(t, dh)
            da = da_all[t]
            da[...] = dh
            _times_derivative(xp, self.activation, a_all[t], da, tmp)
            lin.back_step(da, dh)
            if self.skip is not None:
                dh += dh_carry
        return self._gradients(ws, lin, da_all, needs, slice(None), [dh])


# -- public functions ---------------------------------------------------------------
def _check_activation(op: str, what: str, name) -> str:
    if name is None:
        return "linear"
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{op}: {what}={name!r} has no fused kernel; use one of {ACTIVATIONS} "
            "(the layers fall back to stepping their cell for other activations).")
    return name


def _dropout_masks(op: str, what: str, masks, gates: int, shape, dtype):
    """None, or masks as an array (1 or `gates`, batch, features) of `dtype`."""
    if masks is None:
        return None
    if isinstance(masks, (list, tuple)):
        masks = [m.data if isinstance(m, Tensor) else convert_to_array(m)
                 for m in masks]
        masks = get_array_module(masks[0]).stack(masks)
    else:
        masks = masks.data if isinstance(masks, Tensor) else convert_to_array(masks)
    if masks.ndim == 2:
        masks = masks[None]
    if masks.shape[1:] != tuple(shape) or masks.shape[0] not in (1, gates):
        raise ValueError(
            f"{op}: {what} must have shape (1 or {gates}, {shape[0]}, {shape[1]}) "
            f"(one mask, or one per gate), received shape {masks.shape}.")
    return masks.astype(dtype, copy=False)


def _arguments(op: str, gates: int, inputs, kernel, recurrent_kernel, bias,
               bias_shape, initial_state, n_states: int, mask, input_masks,
               recurrent_masks):
    """Converts and checks a fused op's arguments; returns them ready to apply."""
    x = as_float(inputs, op)
    if x.ndim != 3 or x.shape[1] == 0:
        raise ValueError(
            f"{op}: inputs must have shape (batch, timesteps, features) with at "
            f"least one timestep, received shape {x.shape}.")
    batch, steps, features = x.shape
    dtype = x.data.dtype
    kernel = as_tensor(kernel, dtype)
    recurrent_kernel = as_tensor(recurrent_kernel, dtype)
    units = recurrent_kernel.shape[0]
    if kernel.shape != (features, gates * units) or \
            recurrent_kernel.shape != (units, gates * units):
        raise ValueError(
            f"{op}: expected kernel ({features}, {gates}*units) and recurrent_kernel "
            f"(units, {gates}*units) for {features} input features; received "
            f"kernel {kernel.shape} and recurrent_kernel {recurrent_kernel.shape}.")
    if initial_state is None:
        states = [Tensor._wrap(get_array_module(x.data).zeros((batch, units), dtype))
                  for _ in range(n_states)]
    else:
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        states = [as_tensor(s, dtype) for s in states]
        if len(states) != n_states or any(s.shape != (batch, units) for s in states):
            raise ValueError(
                f"{op}: initial_state must be {n_states} tensor(s) of shape "
                f"({batch}, {units}), received shapes {[s.shape for s in states]}.")
    extra = []
    if bias is not None:
        bias = as_tensor(bias, dtype)
        if bias.shape != bias_shape(units):
            raise ValueError(f"{op}: bias must have shape {bias_shape(units)}, "
                             f"received {bias.shape}.")
        extra = [bias]
    if mask is not None:
        mask = mask.data if isinstance(mask, Tensor) else convert_to_array(mask)
        mask = mask.astype(bool, copy=False)
        if mask.shape != (batch, steps):
            raise ValueError(f"{op}: mask must have shape (batch, timesteps) = "
                             f"{(batch, steps)}, received {mask.shape}.")
    input_masks = _dropout_masks(op, "input_dropout_masks", input_masks, gates,
                                 (batch, features), dtype)
    recurrent_masks = _dropout_masks(op, "recurrent_dropout_masks",
                                     recurrent_masks, gates, (batch, units), dtype)
    return [x, kernel, recurrent_kernel, *states, *extra], mask, input_masks, \
        recurrent_masks


def lstm(inputs, kernel, recurrent_kernel, bias=None, initial_state=None, *,
         mask=None, go_backwards: bool = False, return_sequences: bool = False,
         zero_output_for_mask: bool = False, activation: str = "tanh",
         recurrent_activation: str = "sigmoid", input_dropout_masks=None,
         recurrent_dropout_masks=None):
    """Runs an LSTM over a whole sequence as one differentiable op.

    Per step (gates in Keras's order i, f, c, o along the kernels' last axis):
    `z = x_t @ kernel + h @ recurrent_kernel + bias`, `c = f * c + i * a(z_c)`,
    `h = o * a(c)` with i, f, o = recurrent_activation(z_i, z_f, z_o).

    Args:
        inputs: (batch, timesteps, features).
        kernel: (features, 4 * units). recurrent_kernel: (units, 4 * units).
        bias: Optional (4 * units,).
        initial_state: Optional `[h0, c0]`, each (batch, units); zeros if None.
        mask: Optional bool (batch, timesteps); False steps are skipped.
        go_backwards: Process the sequence last step first (outputs reversed).
        return_sequences: Return every step's output instead of the last.
        zero_output_for_mask: Masked steps output zeros.
        activation, recurrent_activation: Names from `ACTIVATIONS`.
        input_dropout_masks, recurrent_dropout_masks: Optional scaled keep-masks
            (batch, features) / (batch, units), or one per gate (4, batch, ...).

    Returns:
        `(outputs, h, c)`: outputs (batch, timesteps, units) or (batch, units).

    Raises:
        ValueError: On shapes that do not fit together, or an activation without
            a fused kernel.

    Example:
        >>> import numpy as np
        >>> from baro.ops.recurrent import lstm
        >>> x = np.ones((2, 5, 3), "float32")
        >>> out, h, c = lstm(x, np.full((3, 16), 0.1, "float32"),
        ...                  np.zeros((4, 16), "float32"))
        >>> out.shape, h.shape, c.shape
        ((2, 4), (2, 4), (2, 4))
    """
    args, mask, in_masks, rec_masks = _arguments(
        "lstm", 4, inputs, kernel, recurrent_kernel, bias, lambda u: (4 * u,),
        initial_state, 2, mask, input_dropout_masks, recurrent_dropout_masks)
    op = LSTMSequence(
        mask, bool(go_backwards), bool(return_sequences), bool(zero_output_for_mask),
        _check_activation("lstm", "activation", activation),
        _check_activation("lstm", "recurrent_activation", recurrent_activation),
        in_masks, rec_masks)
    return op.apply(*args)


def gru(inputs, kernel, recurrent_kernel, bias=None, initial_state=None, *,
        reset_after: bool = True, mask=None, go_backwards: bool = False,
        return_sequences: bool = False, zero_output_for_mask: bool = False,
        activation: str = "tanh", recurrent_activation: str = "sigmoid",
        input_dropout_masks=None, recurrent_dropout_masks=None):
    """Runs a GRU over a whole sequence as one differentiable op.

    Per step (gates z, r, h along the kernels' last axis): `z = s(x_z + p_z)`,
    `r = s(x_r + p_r)`, `n = a(x_h + r * p_h)` (reset_after, with p = h @
    recurrent_kernel + recurrent bias) or `a(x_h + (r * h) @ U_h)`, and
    `h = z * h + (1 - z) * n`.

    Args:
        inputs: (batch, timesteps, features).
        kernel: (features, 3 * units). recurrent_kernel: (units, 3 * units).
        bias: Optional; (2, 3 * units) (input and recurrent biases) when
            `reset_after`, else (3 * units,).
        initial_state: Optional h0 (batch, units) (or `[h0]`); zeros if None.
        reset_after: Apply the reset gate after the recurrent matmul (Keras's
            default, cuDNN-compatible).
        mask, go_backwards, return_sequences, zero_output_for_mask, activation,
            recurrent_activation, input_dropout_masks, recurrent_dropout_masks:
            As in `lstm` (per-gate masks: 3 of them).

    Returns:
        `(outputs, h)`.

    Example:
        >>> import numpy as np
        >>> from baro.ops.recurrent import gru
        >>> x = np.ones((2, 5, 3), "float32")
        >>> out, h = gru(x, np.full((3, 12), 0.1, "float32"),
        ...              np.zeros((4, 12), "float32"), return_sequences=True)
        >>> out.shape, h.shape
        ((2, 5, 4), (2, 4))
    """
    args, mask, in_masks, rec_masks = _arguments(
        "gru", 3, inputs, kernel, recurrent_kernel, bias,
        (lambda u: (2, 3 * u)) if reset_after else (lambda u: (3 * u,)),
        initial_state, 1, mask, input_dropout_masks, recurrent_dropout_masks)
    op = GRUSequence(
        bool(reset_after), mask=mask, go_backwards=bool(go_backwards),
        return_sequences=bool(return_sequences),
        zero_output_for_mask=bool(zero_output_for_mask),
        activation=_check_activation("gru", "activation", activation),
        recurrent_activation=_check_activation("gru", "recurrent_activation",
                                               recurrent_activation),
        input_masks=in_masks, recurrent_masks=rec_masks)
    return op.apply(*args)


def simple_rnn(inputs, kernel, recurrent_kernel, bias=None, initial_state=None, *,
               mask=None, go_backwards: bool = False, return_sequences: bool = False,
               zero_output_for_mask: bool = False, activation: str = "tanh",
               input_dropout_masks=None, recurrent_dropout_masks=None):
    """Runs a fully connected RNN, `h = a(x_t @ kernel + h @ recurrent_kernel + b)`,
    over a whole sequence as one differentiable op.

    Args:
        inputs: (batch, timesteps, features).
        kernel: (features, units). recurrent_kernel: (units, units).
        bias: Optional (units,).
        initial_state: Optional h0 (batch, units) (or `[h0]`); zeros if None.
        mask, go_backwards, return_sequences, zero_output_for_mask, activation,
            input_dropout_masks, recurrent_dropout_masks: As in `lstm`.

    Returns:
        `(outputs, h)`.

    Example:
        >>> import numpy as np
        >>> from baro.ops.recurrent import simple_rnn
        >>> w = np.full((3, 4), 0.1, "float32")
        >>> out, h = simple_rnn(np.ones((2, 5, 3), "float32"), w,
        ...                     np.eye(4, dtype="float32"))
        >>> out.shape
        (2, 4)
    """
    args, mask, in_masks, rec_masks = _arguments(
        "simple_rnn", 1, inputs, kernel, recurrent_kernel, bias, lambda u: (u,),
        initial_state, 1, mask, input_dropout_masks, recurrent_dropout_masks)
    op = SimpleRNNSequence(
        mask, bool(go_backwards), bool(return_sequences), bool(zero_output_for_mask),
        _check_activation("simple_rnn", "activation", activation), "linear",
        in_masks, rec_masks)
    return op.apply(*args)
