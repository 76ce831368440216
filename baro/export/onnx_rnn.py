"""ONNX converters for SimpleRNN, LSTM, GRU (also as `RNN(cell)`) and
Bidirectional.

ONNX's RNN ops are time-major (seq, batch, features) and order the gates
differently: Keras's LSTM kernels hold i, f, c, o, ONNX wants i, o, f, c; GRU's
z, r, h match, and Keras's default `reset_after=True` is ONNX's
`linear_before_reset=1` (the reset gate scales the recurrent term after its
matmul and bias). Keras keeps one bias per gate (plus a recurrent one for GRU
with reset_after); ONNX's B is [input biases, recurrent biases], the latter zero
where Keras has none. `go_backwards` runs the ONNX op in reverse and, with
return_sequences, flips the outputs into Keras's processing order.
"""

from __future__ import annotations

import numpy as np

from baro import activations
from baro.export.onnx_graph import (
    INT64_MIN,
    GraphBuilder,
    Value,
    converts,
    weight,
)
from baro.layers.rnn.bidirectional import Bidirectional
from baro.layers.rnn.gru import GRU, GRUCell
from baro.layers.rnn.lstm import LSTM, LSTMCell
from baro.layers.rnn.rnn import RNN
from baro.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell

# Activation -> (ONNX RNN activation name, alpha, beta); alpha/beta only where
# the ONNX function takes them.
_RNN_ACTIVATIONS = [
    (activations.tanh, "Tanh", None, None),
    (activations.sigmoid, "Sigmoid", None, None),
    (activations.relu, "Relu", None, None),
    (activations.linear, "Affine", 1.0, 0.0),
    (activations.hard_sigmoid, "HardSigmoid", 1.0 / 6.0, 0.5),
    (activations.softsign, "Softsign", None, None),
    (activations.softplus, "Softplus", None, None),
]


def _activation(layer, fn) -> tuple:
    for known, name, alpha, beta in _RNN_ACTIVATIONS:
        if fn is known:
            return name, alpha, beta
    supported = ", ".join(k.__name__ for k, *_ in _RNN_ACTIVATIONS)
    raise ValueError(
        f"ONNX export: {type(layer).__name__} {layer.name!r} uses the activation "
        f"{getattr(fn, '__name__', fn)!r}, which ONNX's recurrent ops do not "
        f"offer. Supported: {supported}.")


def _activation_attrs(layer, fns) -> dict:
    names, alphas, betas = [], [], []
    for fn in fns:
        name, alpha, beta = _activation(layer, fn)
        names.append(name)
        # Alphas and betas are consumed in order by the functions that take them.
        if alpha is not None:
            alphas.append(alpha)
            betas.append(beta)
    return {"activations": names, "activation_alpha": alphas or None,
            "activation_beta": betas or None}


def _gates(array: np.ndarray, order) -> np.ndarray:
    """Reorders the gate blocks along the last axis."""
    blocks = np.split(array, len(order), axis=-1)
    return np.concatenate([blocks[i] for i in order], axis=-1)


def _cell_weights(layer) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, dict]:
    """(op, W, R, B, extra attributes) in ONNX layout, for one direction."""
    cell = layer.cell
    kernel, recurrent = weight(cell.kernel), weight(cell.recurrent_kernel)
    units = cell.units
    if isinstance(cell, LSTMCell):
        order, gates, op = (0, 3, 1, 2), 4, "LSTM"  # i f c o -> i o f c
        fns = (cell.recurrent_activation, cell.activation, cell.activation)
        extra = {}
    elif isinstance(cell, GRUCell):
        order, gates, op = (0, 1, 2), 3, "GRU"
        fns = (cell.recurrent_activation, cell.activation)
        extra = {"linear_before_reset": int(cell.reset_after)}
    else:
        order, gates, op = (0,), 1, "RNN"
        fns = (cell.activation,)
        extra = {}
    w_bias = np.zeros(gates * units, kernel.dtype)
    r_bias = np.zeros(gates * units, kernel.dtype)
    if cell.bias is not None:
        bias = weight(cell.bias)
        if isinstance(cell, GRUCell) and cell.reset_after:
            w_bias, r_bias = bias[0], bias[1]
        else:
            w_bias = bias
    w = _gates(kernel, order).T[None]
    r = _gates(recurrent, order).T[None]
    b = np.concatenate([_gates(w_bias, order), _gates(r_bias, order)])[None]
    return op, w, r, b, {**extra, **_activation_attrs(layer, fns)}


def _reverse_time(g: GraphBuilder, x: Value, axis: int) -> Value:
    # Slice with step -1 from the last element past the first: any length.
    return g.op("Slice", [x, g.ints([-1], "starts"), g.ints([INT64_MIN], "ends"),
                          g.ints([axis], "axes"), g.ints([-1], "steps")])


def run_rnn(g: GraphBuilder, layer, x: Value, initial_state=None,
            flip_output: bool = False) -> list[Value]:
    """One recurrent layer: [output, *states] in batch-major Keras layout.

    Args:
        g: The graph.
        layer: A SimpleRNN/LSTM/GRU, or an RNN of one of their cells.
        x: (batch, timesteps, features).
        initial_state: Optional Values, each (batch, units).
        flip_output: Reverse the returned sequence (Bidirectional's backward
            half wants it in input order).
    """
    cell = layer.cell
    where = f"{type(layer).__name__} {layer.name!r}"
    if type(cell) not in (LSTMCell, GRUCell, SimpleRNNCell):
        raise ValueError(
            f"ONNX export: {where} runs a {type(cell).__name__}; only "
            "SimpleRNNCell, LSTMCell and GRUCell map to ONNX ops.")
    if layer.stateful:
        raise ValueError(
            f"ONNX export: {where} is stateful; its carried states depend on "
            "the batches seen. Export a copy built with stateful=False.")
    x = g.floating(x, layer.dtype)
    op, w, r, b, attrs = _cell_weights(layer)
    name = layer.name
    inputs = [g.transpose(x, (1, 0, 2), name=f"{name}/time_major"),
              g.constant(w, f"{name}/W", dtype=x.dtype),
              g.constant(r, f"{name}/R", dtype=x.dtype),
              g.constant(b, f"{name}/B", dtype=x.dtype), None]
    for state in initial_state or []:
        state = g.cast(state, x.dtype)
        inputs.append(g.op("Unsqueeze", [state, g.ints([0], "axes")]))
    outputs = g.op(op, inputs, name=f"{name}/{op.lower()}",
                   outputs=3 if op == "LSTM" else 2, hidden_size=cell.units,
                   direction="reverse" if layer.go_backwards else "forward",
                   **attrs)
    states = [g.op("Squeeze", [s, g.ints([0], "axes")], name=f"{name}/state")
              for s in outputs[1:]]
    if layer.return_sequences:
        # Y (seq, 1, batch, units) -> (batch, seq, units).
        y = g.op("Squeeze", [outputs[0], g.ints([1], "axes")])
        y = g.transpose(y, (1, 0, 2), name=f"{name}/sequences")
        # A reverse ONNX op leaves Y in input order; Keras returns go_backwards
        # sequences in processing order.
        if layer.go_backwards != flip_output:
            y = _reverse_time(g, y, 1)
    else:
        y = states[0]
    return [y, *states]


@converts(SimpleRNN, LSTM, GRU, RNN)
def recurrent(g: GraphBuilder, layer, x: Value, initial_state=None):
    results = run_rnn(g, layer, x, initial_state)
    return results if layer.return_state else results[0]


@converts(Bidirectional)
def bidirectional(g: GraphBuilder, layer, x: Value, initial_state=None):
    """The forward layer's output merged with the backward layer's, the latter's
    sequence flipped back into input order (Keras's rule)."""
    forward_state = backward_state = None
    if initial_state is not None:
        half = len(initial_state) // 2
        forward_state, backward_state = initial_state[:half], initial_state[half:]
    forward = run_rnn(g, layer.forward_layer, x, forward_state)
    backward = run_rnn(g, layer.backward_layer, x, backward_state,
                       flip_output=layer.return_sequences)
    y, y_rev = forward[0], backward[0]
    mode = layer.merge_mode
    if mode == "concat":
        merged = [g.op("Concat", [y, y_rev], name=layer.name, axis=-1)]
    elif mode == "sum":
        merged = [g.op("Add", [y, y_rev], name=layer.name)]
    elif mode == "ave":
        half = g.constant(np.asarray(0.5, dtype=y.dtype), "half")
        merged = [g.op("Mul", [g.op("Add", [y, y_rev]), half], name=layer.name)]
    elif mode == "mul":
        merged = [g.op("Mul", [y, y_rev], name=layer.name)]
    else:
        merged = [y, y_rev]
    if layer.return_state:
        return merged + forward[1:] + backward[1:]
    return merged[0] if len(merged) == 1 else merged
