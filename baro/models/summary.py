"""`model.summary()`: layers, output shapes and parameter counts, as Keras prints."""

from __future__ import annotations

import numpy as np

from baro.layers.core.input_layer import InputLayer
from baro.utils.summary_utils import format_count, table


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_shape_text(v)}" for k, v in shape.items())
    return str(tuple(shape))


def _weight_bytes(weights) -> int:
    return int(sum(w.size * np.dtype(w.dtype).itemsize for w in weights))


def summary_text(model, line_length=None, show_trainable: bool = False) -> str:
    """The summary as a string (printing is the caller's choice)."""
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
        rows.append(row)
    width = line_length or (120 if connected else 90)
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
