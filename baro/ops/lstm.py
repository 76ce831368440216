"""The fused LSTM: `LSTMSequence` (forward and backpropagation through time over
a whole sequence) and the public `lstm` (re-exported by `baro.ops.recurrent`).
"""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.ops.rnn_arguments import _arguments, _check_activation
from baro.ops.rnn_common import (
    _activate,
    _apply,
    _Linear,
    _Sequence,
    _times_derivative,
    _Workspace,
    _zeros_or,
)


def _gate_order(masks, order):
    """Per-gate dropout masks reordered like the gates; a single mask stays."""
    if masks is None or len(masks) == 1:
        return masks
    return masks[list(order)]


def _lstm_order(units: int):
    """Column permutation from Keras's i, f, c, o to the internal i, f, o, c."""
    return np.arange(4 * units).reshape(4, units)[[0, 1, 3, 2]].reshape(-1)


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

    n_states = 2

    def _forward_whole(self, x, kernel, recurrent_kernel, h0, c0, *rest):
        bias = self._take_extras(rest)
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

    def _backward_whole(self, g_out, g_h, g_c):
        lin, c, tc_all, perm, _ = self.saved
        z_all = lin.z
        xp = get_array_module(z_all)
        steps, u, batch = tc_all.shape
        act, ract = self.activation, self.recurrent_activation
        dtype = z_all.dtype
        needs = self._needs()
        ws = _Workspace(xp)
        dz_all = lin.begin_backward(ws, needs[0], self._needs_weights(needs, 2))
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
            z, tc = z_all[t], tc_all[t]
            dz = dz_all[t if len(dz_all) > 1 else 0]
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
            lin.back_step(t, dz, dh, t > 0 or needs[3] or needs[4])
            if self.skip is not None:
                dh += dh_carry
                dc += dc_carry
        return self._gradients(ws, lin, dz_all, needs, np.argsort(perm),
                               [dh, dc])


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
    args, extras = _arguments(
        "lstm", 4, inputs, kernel, recurrent_kernel, bias, lambda u: (4 * u,),
        initial_state, 2, mask, input_dropout_masks, recurrent_dropout_masks)
    op = LSTMSequence(
        bool(go_backwards), bool(return_sequences), bool(zero_output_for_mask),
        _check_activation("lstm", "activation", activation),
        _check_activation("lstm", "recurrent_activation", recurrent_activation),
        extras)
    return op.apply(*args)
