"""The fused GRU: `GRUSequence` (forward and backpropagation through time over a
whole sequence, `reset_after` either way) and the public `gru` (re-exported by
`baro.ops.recurrent`).
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.ops.rnn_arguments import _arguments, _check_activation
from baro.ops.rnn_common import (
    _activate,
    _flat,
    _half_rows,
    _project,
    _project_input_grad,
    _project_weight_grad,
    _recurrent_into,
    _Sequence,
    _times_derivative,
    _Workspace,
    _zeros_or,
)


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

    def _forward_whole(self, x, kernel, recurrent_kernel, h0, *rest):
        bias = self._take_extras(rest)
        self.fast = self.recurrent_masks is None and \
            (self.input_masks is None or len(self.input_masks) == 1)
        if self.fast:
            return self._forward_fast(x, kernel, recurrent_kernel, h0, *bias)
        return self._forward_general(x, kernel, recurrent_kernel, h0, *bias)

    def _backward_whole(self, g_out, g_h):
        if self.fast:
            grads = self._backward_fast(g_out, g_h)
        else:
            grads = self._backward_general(g_out, g_h)
        return grads + (None,) * len(self.extras)

    # -- without per-gate input masks or recurrent dropout ----------------------------
    def _forward_fast(self, x, kernel, recurrent_kernel, h0, *bias):
        """Biases ride on rows of ones: x_s = [x_t; 1] projects all steps at once,
        s_t = [h_{t-1}; 1] is the step's recurrent operand."""
        xp = get_array_module(x)
        batch, u = h0.shape
        act, ract = self.activation, self.recurrent_activation
        halved = 2 * u if ract == "sigmoid" else 0
        xt = self._prepare(xp, x)
        steps, features = xt.shape[:2]
        dtype = x.dtype
        ws = _Workspace(xp)
        xs = ws.empty((steps, features + 1, batch), dtype)
        xs[:, :features] = xt if self.input_masks is None else \
            xt * self.input_masks[0]
        xs[:, features] = 1
        b = xp.zeros((2, 3 * u), dtype) if not bias else \
            bias[0] if self.reset_after else xp.stack([bias[0], xp.zeros_like(bias[0])])
        w_in = _half_rows(xp.concatenate([kernel, b[:1]]).T, halved)
        a_all = xp.matmul(w_in, xs, out=ws.empty((steps, 3 * u, batch), dtype))
        s = ws.empty((steps + 1, u + 1, batch), dtype)
        s[:, u] = 1
        h = s[:, :u]
        h[0] = h0.T
        # reset_after: one matmul gives z, r and p_h; else z, r, then U_h (r h).
        rows = 3 * u if self.reset_after else 2 * u
        w_rec = _half_rows(xp.concatenate([recurrent_kernel, b[1:]])[:, :rows].T,
                           halved)
        w_h = xp.ascontiguousarray(recurrent_kernel[:, 2 * u:].T)
        # kept: p_h (reset_after) or r h_{t-1}; hn: h_{t-1} - n.
        kept = ws.empty((steps, u, batch), dtype)
        hn = ws.empty((steps, u, batch), dtype)
        rec = xp.empty((rows, batch), dtype=dtype)
        for t in range(steps):
            a = a_all[t]
            xp.matmul(w_rec, s[t], out=rec)
            a[:2 * u] += rec[:2 * u]
            _activate(xp, ract, a[:2 * u], prescaled=True)
            if self.reset_after:
                kept[t] = rec[2 * u:]
                xp.multiply(a[u:2 * u], kept[t], out=hn[t])
            else:
                xp.multiply(a[u:2 * u], h[t], out=kept[t])
                xp.matmul(w_h, kept[t], out=hn[t])
            a[2 * u:] += hn[t]
            _activate(xp, act, a[2 * u:])
            # h_t = n + z * (h_{t-1} - n)
            xp.subtract(h[t], a[2 * u:], out=hn[t])
            xp.multiply(a[:u], hn[t], out=h[t + 1])
            h[t + 1] += a[2 * u:]
            if self.skip is not None:
                xp.copyto(h[t + 1], h[t], where=self.skip[t])
        self.saved = (xs, s, a_all, kept, hn, kernel, recurrent_kernel, ws)
        return self._outputs(xp, h), h[-1].T.copy()

    def _backward_fast(self, g_out, g_h):
        """Per step d = [dn; dz_z; dz_r; dp_h]: d[:3u] is the gradient of the
        input projection (gates h, z, r), d[u:] that of the recurrent one (z, r,
        and p_h with reset_after). Weight gradients are summed step by step,
        while d is in cache."""
        xs, s, a_all, kept, hn, kernel, recurrent_kernel, _ = self.saved
        xp = get_array_module(a_all)
        steps, u, batch = kept.shape
        features = xs.shape[1] - 1
        after = self.reset_after
        dtype = a_all.dtype
        needs = self._needs()
        weights = self._needs_weights(needs, 1)
        ws = _Workspace(xp)
        d_all = ws.empty((steps if needs[0] else 1, 4 * u, batch), dtype)
        # Transposed weight gradients, summed per step as d x_s^T, d s_t^T (which
        # OpenBLAS splits better over two threads than x_s d^T): [dW; db_in]^T,
        # [dU; db_rec]^T (or [dU_zr; -]^T and dU_h^T). Not pooled: the returned
        # gradients are views of them.
        acc = [xp.empty((3 * u, features + 1), dtype=dtype),
               xp.empty((3 * u if after else 2 * u, u + 1), dtype=dtype)]
        if not after:
            acc.append(xp.empty((u, u), dtype=dtype))
        terms = [ws.empty(g.shape, dtype) for g in acc]
        r = xp.ascontiguousarray(recurrent_kernel[:, :3 * u if after else 2 * u])
        r_h = None if after else xp.ascontiguousarray(recurrent_kernel[:, 2 * u:])
        dh = _zeros_or(xp, g_h, (u, batch), dtype)
        g_seq = self._output_grads(xp, g_out, dh)
        tmp = xp.empty((u, batch), dtype=dtype)
        tmp2 = xp.empty((2 * u, batch), dtype=dtype)
        for t in range(steps - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            if self.skip is not None:
                dh_carry = self._split_masked(t, dh)
            a, d = a_all[t], d_all[t if needs[0] else 0]
            # dn = dh (1 - z) a'(n),  dz_z = dh (h_{t-1} - n) s'(z)
            xp.subtract(1, a[:u], out=d[:u])
            d[:u] *= dh
            _times_derivative(xp, self.activation, a[2 * u:], d[:u], tmp)
            xp.multiply(hn[t], dh, out=d[u:2 * u])
            if after:  # dz_r = dn p_h s'(r),  dp_h = dn r
                xp.multiply(d[:u], kept[t], out=d[2 * u:3 * u])
                xp.multiply(d[:u], a[u:2 * u], out=d[3 * u:])
            else:  # d(r h) = dn U_h^T,  dz_r = d(r h) h_{t-1} s'(r)
                d_rh = d[3 * u:]
                xp.matmul(r_h, d[:u], out=d_rh)
                xp.multiply(d_rh, s[t, :u], out=d[2 * u:3 * u])
            _times_derivative(xp, self.recurrent_activation, a[:2 * u], d[u:3 * u],
                              tmp2)
            if weights:
                pairs = [(d[:3 * u], xs[t]), (d[u:4 * u if after else 3 * u], s[t])]
                if not after:
                    pairs.append((d[:u], kept[t]))
                for g, term, (grad, state) in zip(acc, terms, pairs, strict=True):
                    xp.matmul(grad, state.T, out=g if t == steps - 1 else term)
                    if t < steps - 1:
                        g += term
            # dh_{t-1} = dh z + d[u:] @ U^T (+ d(r h) r)
            dh *= a[:u]
            if not after:
                d_rh *= a[u:2 * u]
                dh += d_rh
            if t > 0 or needs[3]:
                xp.matmul(r, d[u:4 * u if after else 3 * u], out=tmp)
                dh += tmp
            if self.skip is not None:
                dh += dh_carry
        dx = None
        if needs[0]:
            # d[:3u] holds gates h, z, r: the kernel's columns in that order.
            w = xp.concatenate([kernel[:, 2 * u:], kernel[:, :2 * u]], axis=1)
            dx = xp.matmul(w, d_all[:, :3 * u])
            if self.input_masks is not None:
                dx *= self.input_masks[0]
        ws.release()
        g_in = acc[0][xp.concatenate([xp.arange(u, 3 * u), xp.arange(u)])]
        d_rec = acc[1][:, :u].T if after else \
            xp.concatenate([acc[1][:, :u].T, acc[2].T], axis=1)
        grads = [self._input_grad(dx),
                 xp.ascontiguousarray(g_in[:, :features].T) if needs[1] else None,
                 xp.ascontiguousarray(d_rec) if needs[2] else None,
                 dh.T if needs[3] else None]
        if len(needs) > 4:
            db = xp.ascontiguousarray(g_in[:, features])
            grads.append((xp.stack([db, acc[1][:, u]]) if after else db)
                         if needs[4] else None)
        return tuple(grads)

    # -- any GRU -------------------------------------------------------------------
    def _forward_general(self, x, kernel, recurrent_kernel, h0, *bias):
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

    def _backward_general(self, g_out, g_h):
        xt, kernel, recurrent_kernel, a_all, h, kept, _ = self.saved
        xp = get_array_module(a_all)
        steps, u, batch = kept.shape
        act, ract = self.activation, self.recurrent_activation
        dtype = a_all.dtype
        needs = self._needs()
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
    args, extras = _arguments(
        "gru", 3, inputs, kernel, recurrent_kernel, bias,
        (lambda u: (2, 3 * u)) if reset_after else (lambda u: (3 * u,)),
        initial_state, 1, mask, input_dropout_masks, recurrent_dropout_masks)
    op = GRUSequence(
        bool(reset_after), go_backwards=bool(go_backwards),
        return_sequences=bool(return_sequences),
        zero_output_for_mask=bool(zero_output_for_mask),
        activation=_check_activation("gru", "activation", activation),
        recurrent_activation=_check_activation("gru", "recurrent_activation",
                                               recurrent_activation),
        extras=extras)
    return op.apply(*args)
