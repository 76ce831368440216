"""The argument checks of the fused recurrent ops (`lstm`, `gru`, `simple_rnn`):
conversions, shapes, activations with a fused kernel, and the masks, which
become op inputs (see `rnn_common._Sequence`)."""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.core.tensor import Tensor
from baro.ops.casting import NoGrad
from baro.ops.convert import as_float, as_tensor
from baro.ops.rnn_common import ACTIVATIONS


def _check_activation(op: str, what: str, name) -> str:
    if name is None:
        return "linear"
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{op}: {what}={name!r} has no fused kernel; use one of {ACTIVATIONS} "
            "(the layers fall back to stepping their cell for other activations).")
    return name


def _dropout_masks(op: str, what: str, masks, gates: int, shape):
    """None, or the masks as one tensor (B, F) or (G, B, F) (G = 1 or `gates`);
    a list of mask tensors is stacked by an op, so a trace records it."""
    if masks is None:
        return None
    if isinstance(masks, (list, tuple)):
        masks = [as_tensor(m) for m in masks]
        masks = NoGrad(lambda *ms: get_array_module(ms[0]).stack(ms),
                       "stack").apply(*masks)
    else:
        masks = as_tensor(masks)
    full = masks.shape if masks.ndim == 3 else (1, *masks.shape)
    if full[1:] != tuple(shape) or full[0] not in (1, gates):
        raise ValueError(
            f"{op}: {what} must have shape (1 or {gates}, {shape[0]}, {shape[1]}) "
            f"(one mask, or one per gate), received shape {masks.shape}.")
    return masks


def _arguments(op: str, gates: int, inputs, kernel, recurrent_kernel, bias,
               bias_shape, initial_state, n_states: int, mask, input_masks,
               recurrent_masks):
    """Converts and checks a fused op's arguments.

    Returns:
        `(inputs, extras)`: the op's inputs (x, kernels, states, [bias], then
        the masks given) and the names of the masks, for the op's `extras`.
    """
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
    args = [x, kernel, recurrent_kernel, *states]
    if bias is not None:
        bias = as_tensor(bias, dtype)
        if bias.shape != bias_shape(units):
            raise ValueError(f"{op}: bias must have shape {bias_shape(units)}, "
                             f"received {bias.shape}.")
        args.append(bias)
    extras = {}
    if mask is not None:
        mask = as_tensor(mask)
        if mask.shape != (batch, steps):
            raise ValueError(f"{op}: mask must have shape (batch, timesteps) = "
                             f"{(batch, steps)}, received {mask.shape}.")
        extras["mask"] = mask
    extras["input_masks"] = _dropout_masks(op, "input_dropout_masks", input_masks,
                                           gates, (batch, features))
    extras["recurrent_masks"] = _dropout_masks(
        op, "recurrent_dropout_masks", recurrent_masks, gates, (batch, units))
    extras = {name: t for name, t in extras.items() if t is not None}
    return args + list(extras.values()), tuple(extras)
