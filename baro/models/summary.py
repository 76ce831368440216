"""`model.summary()`: layers, output shapes and parameter counts, as Keras prints.

`show_formula=True` adds how each count is computed, the sum learners are
taught to do by hand: Dense `inputs x units + units`, Conv2D `kh x kw x
channels x filters + filters`, LSTM `4 x (units x (inputs + units) + units)`.
"""

from __future__ import annotations

import numpy as np

from baro.layers.core.input_layer import InputLayer
from baro.utils.summary_utils import format_count, product_term, sum_terms, table


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_shape_text(v)}" for k, v in shape.items())
    return str(tuple(shape))


def _weight_bytes(weights) -> int:
    return int(sum(w.size * np.dtype(w.dtype).itemsize for w in weights))


def summary_text(model, line_length=None, show_trainable: bool = False,
                 show_formula: bool = False) -> str:
    """The summary as a string (printing is the caller's choice).

    Args:
        model: A built model.
        line_length: Total width (default 90, 120 with a "Connected to" column,
            40 more with the formula column).
        show_trainable: Add a column saying whether each layer trains.
        show_formula: Add a column with each layer's weight-count formula
            (`param_formula`).
    """
    from baro.models.functional import Functional

    if not model.built:
        raise ValueError(
            f"Model {model.name!r} has not yet been built, so it cannot be "
            "summarized. Build it by calling it on data, by fit(), or give the "
            "first layer an input shape (e.g. Dense(12, input_dim=8) or "
            "Input(shape=(8,))).")
    functional = isinstance(model, Functional)
    layers = model.layers
    connected = functional and _needs_connections(model)
    header = ["Layer (type)", "Output Shape", "Param #"]
    if connected:
        header.append("Connected to")
    if show_trainable:
        header.append("Trainable")
    if show_formula:
        header.append("Param formula")
    rows = []
    for layer in layers:
        if isinstance(layer, InputLayer) and not functional:
            continue
        try:
            shape = _shape_text(layer.output_shape)
        except (AttributeError, ValueError):
            shape = "?"
        params = str(layer.count_params()) if layer.built else "0 (unbuilt)"
        row = [f"{layer.name} ({type(layer).__name__})", shape, f"{int(params):,}"
               if params.isdigit() else params]
        if connected:
            row.append(_connections(layer, model))
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        if show_formula:
            row.append(param_formula(layer))
        rows.append(row)
    width = line_length or (120 if connected else 90) + (40 if show_formula else 0)
    if show_formula:
        formula_width = max(len(header[-1]), int(0.34 * width))
        widths = _widths(header[:-1], width - formula_width - 3) + [formula_width]
    else:
        widths = _widths(header, width)
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    total = trainable + non_trainable
    lines = [f'Model: "{model.name}"',
             table(header, rows, widths, align_right={2}),
             f" Total params: {format_count(_count(total), _weight_bytes(total))}",
             f" Trainable params: "
             f"{format_count(_count(trainable), _weight_bytes(trainable))}",
             f" Non-trainable params: "
             f"{format_count(_count(non_trainable), _weight_bytes(non_trainable))}"]
    optimizer = getattr(model, "optimizer", None)
    slots = [v for v in getattr(optimizer, "variables", [])
             if v.ndim > 0] if optimizer is not None else []
    if slots:
        lines.append(f" Optimizer params: "
                     f"{format_count(_count(slots), _weight_bytes(slots))}")
    return "\n".join(lines)


def param_formula(layer) -> str:
    """How `layer.count_params()` adds up, e.g. `"784 x 512 + 512 = 401,920"`.

    Weights are grouped by the layer (or cell) that owns them. A recurrent cell
    (kernel (inputs, g * units), recurrent_kernel (units, g * units), bias) reads
    `g x (units x (inputs + units) + units)` with g gates (LSTM 4, GRU 3; GRU's
    `reset_after` bias (2, 3 * units) gives `+ 2 x units`); any other weights
    are products of their shapes, equal terms counted once (`4 x 64` for a
    BatchNormalization's gamma, beta, moving mean and variance). Nested models
    with many weights show their layers' counts instead. Returns "-" for a layer
    without weights (or not built).
    """
    if not layer.built or not layer.weights:
        return "-"
    total = layer.count_params()
    groups: dict[str, list] = {}
    for weight in layer.weights:
        owner, _, short = str(getattr(weight, "path", weight.name)).rpartition("/")
        groups.setdefault(owner, []).append((short, tuple(weight.shape)))
    terms = [_group_term(weights) for weights in groups.values()]
    if sum(len(t[0].split(" + ")) for t in terms) > 8 and len(layer._layers) > 1:
        terms = [(f"{sub.count_params():,}", sub.count_params())
                 for sub in layer._layers if sub.built and sub.weights]
    text, value = sum_terms(terms)
    if value != total:  # a layout the rules above misread: plain products
        text, value = sum_terms([product_term(w.shape) for w in layer.weights])
    return f"{text} = {total:,}"


def _group_term(weights: list) -> tuple[str, int]:
    """One owner's weights as a (text, value) term (see `param_formula`)."""
    shapes = dict(weights)
    kernel, recurrent = shapes.get("kernel"), shapes.get("recurrent_kernel")
    known = {"kernel", "recurrent_kernel", "bias"}
    if kernel is not None and recurrent is not None and set(shapes) <= known \
            and len(kernel) == 2 and len(recurrent) == 2 and recurrent[0]:
        inputs, units = kernel[0], recurrent[0]
        gates = recurrent[1] // units
        bias = shapes.get("bias")
        inner = f"{units} x ({inputs} + {units})"
        value = units * (inputs + units)
        if bias is not None:
            rows = bias[0] if len(bias) == 2 else 1
            inner += f" + {units}" if rows == 1 else f" + {rows} x {units}"
            value += rows * units
        text = inner if gates == 1 else f"{gates} x ({inner})"
        if gates * value == sum(product_term(s)[1] for s in shapes.values()):
            return text, gates * value
    return sum_terms([product_term(shape) for _, shape in weights])


def _count(weights) -> int:
    return int(sum(w.size for w in weights))


def _widths(header: list[str], total: int) -> list[int]:
    shares = {3: [0.45, 0.33, 0.22], 4: [0.32, 0.22, 0.14, 0.32],
              5: [0.3, 0.2, 0.13, 0.27, 0.1]}[len(header)]
    usable = total - 3 * len(header) - 1
    return [max(len(h), int(usable * s)) for h, s in zip(header, shares, strict=True)]


def _needs_connections(model) -> bool:
    for node in model._nodes:
        if len(node.parent_tensors()) > 1:
            return True
    return len(model.inputs) > 1


def _connections(layer, model) -> str:
    used = {id(n) for n in model._nodes}
    parents = []
    for node in layer._inbound_nodes:
        if id(node) not in used:
            continue
        for t in node.parent_tensors():
            parents.append(f"{t.node.layer.name}[0][{t.index}]")
    return ", ".join(parents) if parents else "-"
