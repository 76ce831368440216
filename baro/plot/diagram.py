"""`baro.plot.model`: a diagram of a model's layer graph, drawn with matplotlib.

No Graphviz: a Sequential model is a vertical chain; a Functional model is laid
out by depth (longest path from an input), one row per depth, with arrows along
the recorded graph edges. One box per layer (a shared layer is one box with
several arrows), showing its name, class and output shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from baro.layers.core.input_layer import InputLayer
from baro.layers.symbolic import flatten
from baro.models.functional import Functional
from baro.models.sequential import Sequential
from baro.plot._figure import finish, pyplot, shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Layout in inches: box size, and the distance between box centres.
_BOX_W, _BOX_H = 2.7, 0.78
_STEP_X, _STEP_Y = 3.0, 1.2
_COLORS = {"input": "#d9f2d9", "layer": "#dbe9f7", "output": "#fde3c8"}


def _shape_text(shape) -> str:
    if isinstance(shape, (list, tuple)) and shape and \
            isinstance(shape[0], (list, tuple)):
        return ", ".join(str(tuple(s)) for s in shape)
    return str(tuple(shape))


def _output_shape(layer) -> str:
    try:
        return _shape_text(layer.output_shape)
    except (AttributeError, ValueError, TypeError):
        return "?"


def _sequential_graph(model: Sequential):
    """(layers, {id: depth}, edges, {id: shape text}, output ids) of a chain."""
    layers = ([model._input_layer] if model._input_layer is not None else []) + \
        model.layers
    shapes = {id(layer): _output_shape(layer) for layer in layers}
    if model._input_layer is not None:
        shapes[id(model._input_layer)] = _shape_text(model._input_layer.batch_shape)
    depth = {id(layer): i for i, layer in enumerate(layers)}
    edges = list(zip(layers, layers[1:], strict=False))
    return layers, depth, edges, shapes, {id(layers[-1])} if layers else set()


def _functional_graph(model: Functional):
    node_depth: dict[int, int] = {}
    depth: dict[int, int] = {}
    shapes: dict[int, str] = {}
    edges, seen = [], set()
    for node in model._nodes:  # topological: parents come first
        parents = [t.node for t in node.parent_tensors()]
        node_depth[id(node)] = 1 + max((node_depth[id(p)] for p in parents),
                                       default=-1)
        layer = node.layer
        if id(layer) not in depth:
            depth[id(layer)] = node_depth[id(node)]
            shapes[id(layer)] = _shape_text(
                [t.shape for t in flatten(node.outputs)]
                if len(flatten(node.outputs)) > 1 else flatten(node.outputs)[0].shape)
        for parent in parents:
            key = (id(parent.layer), id(layer))
            if key not in seen:
                seen.add(key)
                edges.append((parent.layer, layer))
    # An input consumed deep in the graph sits just above its first consumer.
    for layer in model.layers:
        children = [depth[id(c)] for p, c in edges if p is layer]
        if isinstance(layer, InputLayer) and children:
            depth[id(layer)] = min(children) - 1
    outputs = {id(t.node.layer) for t in model.outputs}
    return model.layers, depth, edges, shapes, outputs


def _positions(layers, depth, edges) -> dict[int, tuple[float, float]]:
    """Box centres: one row per depth; a box sits under the mean of its parents,
    pushed sideways only as far as its row neighbours need (a simple version of
    what Graphviz's dot does)."""
    rows: dict[int, list] = {}
    for layer in layers:
        rows.setdefault(depth[id(layer)], []).append(layer)
    parents: dict[int, list] = {}
    for parent, child in edges:
        parents.setdefault(id(child), []).append(parent)
    x: dict[int, float] = {}
    for d in sorted(rows):
        wanted = []
        for layer in rows[d]:
            above = [x[id(p)] for p in parents.get(id(layer), []) if id(p) in x]
            # Boxes without placed parents keep their order, after the others.
            wanted.append((sum(above) / len(above)) if above else None)
        if all(w is None for w in wanted):
            wanted = [(i - (len(wanted) - 1) / 2) * _STEP_X
                      for i in range(len(wanted))]
        else:
            right = max(w for w in wanted if w is not None)
            wanted = [w if w is not None else right + _STEP_X * (i + 1)
                      for i, w in enumerate(wanted)]
        order = sorted(range(len(wanted)), key=lambda i: wanted[i])
        placed: list[float] = []
        for i in order:
            placed.append(wanted[i] if not placed else
                          max(wanted[i], placed[-1] + _STEP_X))
        # Centre the row on where its boxes wanted to be.
        offset = sum(placed) / len(placed) - sum(wanted) / len(wanted)
        for i, position in zip(order, placed, strict=True):
            x[id(rows[d][i])] = position - offset
    return {id(layer): (x[id(layer)], -depth[id(layer)] * _STEP_Y)
            for layer in layers}


def model(model, path=None, show: bool = False) -> Figure:
    """Draws the model's layers as boxes and the data flow as arrows.

    Each box shows the layer's name, its class and its output shape (None is
    the batch size). Inputs are green, outputs orange. Like Keras's
    `plot_model(model, show_shapes=True)`, without needing Graphviz.

    Args:
        model: A Sequential or Functional model (a subclassed model has no
            recorded graph: its `call` is Python code).
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure: one box patch per layer and one arrow patch per
        edge of the graph.

    Raises:
        ValueError: For a subclassed model or a model without layers.
        ImportError: If matplotlib is not installed.

    Example:
        >>> import baro.plot  # doctest: +SKIP
        >>> baro.plot.model(model, path="model.png")  # doctest: +SKIP
    """
    if isinstance(model, Sequential):
        graph = _sequential_graph(model)
    elif isinstance(model, Functional):
        graph = _functional_graph(model)
    else:
        raise ValueError(
            f"plot.model draws Sequential and Functional models; "
            f"{type(model).__name__} is a subclassed model whose call() is Python "
            "code with no recorded graph. Build it with keras.Input and "
            "Model(inputs, outputs) to draw it, or use model.summary().")
    layers, depth, edges, shapes, outputs = graph
    if not layers:
        raise ValueError(f"plot.model: model {model.name!r} has no layers.")
    centres = _positions(layers, depth, edges)
    xs = [c[0] for c in centres.values()]
    levels = max(depth.values()) + 1
    fig_w = max(xs) - min(xs) + _STEP_X + 0.4
    fig_h = levels * _STEP_Y + 0.5
    fig = pyplot().figure(figsize=(fig_w, fig_h))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(min(xs) - _STEP_X / 2 - 0.2, max(xs) + _STEP_X / 2 + 0.2)
    ax.set_ylim(-fig_h + _STEP_Y / 2 + 0.25, _STEP_Y / 2 + 0.25)
    ax.axis("off")
    _draw(ax, layers, centres, edges, shapes, outputs)
    fig.suptitle(f"{model.name} ({type(model).__name__})", fontsize=9, y=1.0,
                 va="bottom")
    return finish(fig, path, show)


def _draw(ax, layers, centres, edges, shapes, outputs) -> None:
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    for layer in layers:
        cx, cy = centres[id(layer)]
        kind = "input" if isinstance(layer, InputLayer) else \
            "output" if id(layer) in outputs else "layer"
        ax.add_patch(FancyBboxPatch(
            (cx - _BOX_W / 2, cy - _BOX_H / 2), _BOX_W, _BOX_H,
            boxstyle="round,pad=0,rounding_size=0.1", facecolor=_COLORS[kind],
            edgecolor="#333333", linewidth=1.0))
        ax.text(cx, cy + 0.2, shorten(layer.name, 30), ha="center", va="center",
                fontsize=9, weight="bold")
        ax.text(cx, cy, type(layer).__name__, ha="center", va="center",
                fontsize=8, style="italic")
        ax.text(cx, cy - 0.2, shorten(shapes[id(layer)], 36), ha="center",
                va="center", fontsize=8, family="monospace")
    for parent, child in edges:
        (px, py), (cx, cy) = centres[id(parent)], centres[id(child)]
        # Edges to a row above (a shared layer reused deeper) bend aside.
        bend = "arc3,rad=0.4" if cy >= py else "arc3,rad=0"
        ax.add_patch(FancyArrowPatch(
            (px, py - _BOX_H / 2), (cx, cy + _BOX_H / 2), arrowstyle="-|>",
            mutation_scale=14, color="#444444", linewidth=1.1,
            connectionstyle=bend, shrinkA=0, shrinkB=0))
