"""Fused recurrent sequences: a whole LSTM, GRU or SimpleRNN pass as one op.

Stepping a cell with ordinary ops records a dozen graph nodes per timestep. These
ops run the full sequence in one `forward` and the whole backpropagation through
time in one `backward`, on raw arrays:

- each step is one matmul and the gate arithmetic in place, on time-major
  buffers allocated once, keeping what backward needs (activated gates, states,
  a(c)). LSTM and SimpleRNN stack [h_{t-1}; x_t; 1] so the step's matmul with
  [U; W; b] also does the input projection and the bias; GRU projects all
  inputs (with a row of ones for the bias) in one batched matmul first (its
  reset gate splits the recurrent part);
- backward walks the steps in reverse: one matmul for dh_{t-1}, and one that
  adds the step's share of the weight gradient (s_t dz_t^T) while dz_t is still
  in cache. One matmul over all steps at the end needs every dz written out
  and both operands copied into (N, T * B) layouts first; per step, an LSTM
  pass (batch 128, 28 steps, 128 units) costs ~14% less CPU time.

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

The step mask and the dropout masks are inputs of the op (not attributes), so
a replayed trace (fit's compiled step) uses each batch's own masks.

Activations are named: "tanh", "sigmoid", "relu", "linear", "hard_sigmoid" (the
ones whose derivative is a function of their output).

The code is split by cell: `lstm.py`, `gru.py` and `simple_rnn.py` hold each
Function with its public function, `rnn_common.py` what they share (activation
tables, the buffer pool, projections with dropout masks), `rnn_arguments.py`
the argument checks.
This module is the public entry point and re-exports them.
"""

from baro.ops.gru import GRUSequence, gru
from baro.ops.lstm import LSTMSequence, lstm
from baro.ops.rnn_common import ACTIVATIONS
from baro.ops.rnn_common import _Workspace as _Workspace  # the pool, for tests
from baro.ops.simple_rnn import SimpleRNNSequence, simple_rnn

__all__ = [
    "ACTIVATIONS",
    "GRUSequence",
    "LSTMSequence",
    "SimpleRNNSequence",
    "gru",
    "lstm",
    "simple_rnn",
]
