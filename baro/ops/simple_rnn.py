"""The fused fully connected RNN: `SimpleRNNSequence` (forward and
backpropagation through time over a whole sequence) and the public `simple_rnn`
(re-exported by `baro.ops.recurrent`).
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.ops.rnn_arguments import _arguments, _check_activation
from baro.ops.rnn_common import (
    _activate,
    _Linear,
    _Sequence,
    _times_derivative,
    _Workspace,
    _zeros_or,
)


class SimpleRNNSequence(_Sequence):
    """A whole fully connected RNN sequence: h_t = a(x_t @ W + h_{t-1} @ U + b).

    Backward: da_t = dh_t * a'(.), dh_{t-1} = da_t @ U^T; dW = X^T dA,
    dU = H_{t-1}^T dA, db = sum dA, once over all steps.
    """

    def _forward_whole(self, x, kernel, recurrent_kernel, h0, *rest):
        bias = self._take_extras(rest)
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

    def _backward_whole(self, g_out, g_h):
        lin = self.saved[0]
        a_all = lin.z
        xp = get_array_module(a_all)
        steps, u, batch = a_all.shape
        needs = self._needs()
        ws = _Workspace(xp)
        da_all = lin.begin_backward(ws, needs[0], self._needs_weights(needs, 1))
        dh = _zeros_or(xp, g_h, (u, batch), a_all.dtype)
        g_seq = self._output_grads(xp, g_out, dh)
        tmp = xp.empty((u, batch), dtype=a_all.dtype)
        for t in range(steps - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            if self.skip is not None:
                dh_carry = self._split_masked(t, dh)
            da = da_all[t if len(da_all) > 1 else 0]
            da[...] = dh
            _times_derivative(xp, self.activation, a_all[t], da, tmp)
            lin.back_step(t, da, dh)
            if self.skip is not None:
                dh += dh_carry
        return self._gradients(ws, lin, da_all, needs, slice(None), [dh])


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
    args, extras = _arguments(
        "simple_rnn", 1, inputs, kernel, recurrent_kernel, bias, lambda u: (u,),
        initial_state, 1, mask, input_dropout_masks, recurrent_dropout_masks)
    op = SimpleRNNSequence(
        bool(go_backwards), bool(return_sequences), bool(zero_output_for_mask),
        _check_activation("simple_rnn", "activation", activation), "linear",
        extras)
    return op.apply(*args)
