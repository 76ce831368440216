"""Recurrent sequences by batch slices, the slices on parallel threads.

A whole-sequence RNN op (lstm.py, gru.py, simple_rnn.py) runs a Python loop of
small matmuls and gate arithmetic per timestep; samples of a batch never meet.
Cut into row slices of the batch, each slice's loop runs on its own thread with
BLAS held at one thread (ops/parallel.py), so the elementwise gate arithmetic,
which NumPy runs on one core, uses every core. Measured on LSTM(128), batch 128,
28 steps, forward + backward: 15.0 ms whole (2 BLAS threads), 12.5 ms in two
slices on two threads.

Each slice is a shallow copy of the op (same settings) that runs the op's whole-
batch code (`_forward_whole` / `_backward_whole`) on its rows: the inputs with
a batch axis are cut (x, the initial states, the step mask, dropout masks), the
outputs and their gradients are joined back, and the weight gradients of the
slices are added in slice order. The cut depends on the batch size only, so
results do not depend on the number of threads; a compiled step replays the
same slices.
"""

from __future__ import annotations

import copy

import numpy as np

from baro.ops.parallel import add_in_order, map_slices

# Batches of at least 2 x SLICE_ROWS samples are cut into a power of two of
# slices of at least SLICE_ROWS each. Below ~64 rows a slice's matmuls and its
# per-step Python cost more than the second core gives back.
SLICE_ROWS = 64


def batch_slices(n: int) -> list[slice] | None:
    """The slices of a batch of `n`, or None to run it whole."""
    if n < 2 * SLICE_ROWS:
        return None
    count = 1 << ((n // SLICE_ROWS).bit_length() - 1)
    bounds = [n * i // count for i in range(count + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


class BatchSliced:
    """`forward` / `backward` of a sequence op, by batch slices when large.

    The op class provides `_forward_whole(x, kernel, recurrent_kernel, *states,
    *rest)` returning `(outputs, *final_states)` (each batch-first),
    `_backward_whole(*grads)` returning one gradient per input, `n_states`
    (how many initial states follow the kernels) and `extras` (the names of
    the trailing inputs after the bias).
    """

    def forward(self, x, kernel, recurrent_kernel, *rest):
        parts = batch_slices(x.shape[0]) if type(x) is np.ndarray else None
        if parts is None:
            self.slices = None
            return self._forward_whole(x, kernel, recurrent_kernel, *rest)
        inputs = (x, kernel, recurrent_kernel, *rest)
        axes = self._batch_axes(inputs)
        pieces = [copy.copy(self) for _ in parts]

        def work(i: int):
            cut = tuple(_cut(a, axis, parts[i]) for a, axis in zip(inputs, axes,
                                                                   strict=True))
            return pieces[i]._forward_whole(*cut)

        results = map_slices(lambda: work, range(len(parts)), always=True)
        self.slices = (parts, axes)
        # The pieces hold the buffers backward needs; the engine frees them
        # with `saved`, as it frees a whole-batch op's.
        self.saved = tuple(pieces)
        return tuple(np.concatenate(outs) for outs in zip(*results, strict=True))

    def backward(self, *grads):
        if self.slices is None:
            return self._backward_whole(*grads)
        parts, axes = self.slices
        pieces = self.saved
        inputs = self.inputs

        def work(i: int):
            piece = pieces[i]
            piece.inputs = inputs  # which inputs need gradients
            return piece._backward_whole(*[None if g is None else g[parts[i]]
                                           for g in grads])

        results = map_slices(lambda: work, range(len(parts)), always=True)
        joined = []
        for axis, found in zip(axes, zip(*results, strict=True), strict=True):
            if found[0] is None:
                joined.append(None)
            elif axis is None:  # a weight: the slices' shares, in slice order
                joined.append(add_in_order(found))
            else:
                joined.append(np.concatenate(found, axis=axis))
        return tuple(joined)

    def _batch_axes(self, inputs) -> list:
        """The batch axis of each input (None for weights): x and the initial
        states lead with it, the step mask too, dropout masks have it second
        to last ((B, F) or (G, B, F))."""
        leading = len(inputs) - len(self.extras)
        axes: list = [0, None, None] + [0] * self.n_states
        axes += [None] * (leading - len(axes))  # the bias, if any
        for name, value in zip(self.extras, inputs[leading:], strict=True):
            axes.append(None if value is None else
                        0 if name == "mask" else value.ndim - 2)
        return axes


def _cut(array, axis, part: slice):
    if axis is None or array is None:
        return array
    index = [slice(None)] * array.ndim
    index[axis] = part
    return array[tuple(index)]
