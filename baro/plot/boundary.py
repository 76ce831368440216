"""`baro.plot.decision_boundary`: the regions a 2-D classifier assigns to classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from baro.evaluation.labels import (
    as_numpy,
    predict_outputs,
    predicted_labels,
    true_labels,
)
from baro.plot._figure import finish, subplots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_GRID_BATCH = 8192


def _grid(x: np.ndarray, resolution: int):
    """Two (resolution, resolution) coordinate grids covering x plus a 10% margin."""
    axes = []
    for column in x.T:
        low, high = float(column.min()), float(column.max())
        margin = 0.1 * (high - low) if high > low else 0.5
        axes.append(np.linspace(low - margin, high + margin, resolution))
    return np.meshgrid(*axes)


def decision_boundary(model, x, y=None, resolution: int = 200, path=None,
                      show: bool = False) -> Figure:
    """Predicted classes over the plane, with the data points on top.

    For a single (sigmoid) output the background shades P(class 1) from blue
    (0) to red (1) and a black line marks the 0.5 boundary; for several
    outputs (softmax) each region takes the colour of its argmax class. Points
    are coloured by their true class.

    Args:
        model: A model with `predict`, or a callable from (M, 2) inputs to
            outputs, taking two features per sample.
        x: Points, shape (N, 2).
        y: Optional labels (N,) or one-hot rows (N, C) to colour the points
            and report the accuracy.
        resolution: Grid points per axis. Default 200.
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure (the plane's Axes first, then a colour bar for a
        sigmoid output).

    Raises:
        ValueError: If `x` is not (N, 2) or `resolution` < 2.
        ImportError: If matplotlib is not installed.

    Example:
        >>> import baro.plot  # doctest: +SKIP
        >>> baro.plot.decision_boundary(model, x_moons, y_moons,
        ...                             path="boundary.png")  # doctest: +SKIP
    """
    x = as_numpy(x)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(
            f"decision_boundary: draws models of two input features, so x must "
            f"have shape (N, 2); received {x.shape}. For more features, project "
            "the data to 2-D first or plot two of them.")
    if resolution < 2:
        raise ValueError(f"decision_boundary: resolution must be >= 2, received "
                         f"{resolution}.")
    labels = None if y is None else true_labels(y, "decision_boundary: y")
    if labels is not None and len(labels) != len(x):
        raise ValueError(f"decision_boundary: {len(x)} points but {len(labels)} "
                         "labels.")
    xx, yy = _grid(x, resolution)
    dtype = x.dtype if x.dtype.kind == "f" else np.float32
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(dtype)
    out = predict_outputs(model, grid, _GRID_BATCH)
    out = out.reshape(len(grid), -1)
    fig, axes = subplots(1, 1, figsize=(6.4, 5.2), layout="constrained")
    from matplotlib import colormaps  # after subplots: matplotlib is there

    ax = axes[0, 0]
    if out.shape[1] == 1:  # a sigmoid: P(class 1)
        p = np.clip(out[:, 0].astype(np.float64), 0.0, 1.0).reshape(xx.shape)
        shading = ax.contourf(xx, yy, p, levels=np.linspace(0.0, 1.0, 11),
                              cmap="coolwarm", alpha=0.55)
        ax.contour(xx, yy, p, levels=[0.5], colors="black", linewidths=1.5)
        fig.colorbar(shading, ax=ax, label="P(class 1)")
        point_colors = None if labels is None else \
            [colormaps["coolwarm"](float(v > 0)) for v in labels]
    else:  # scores per class: the argmax class's region
        classes = np.argmax(out, axis=1).reshape(xx.shape)
        k = out.shape[1]
        palette = [colormaps["tab10"](i % 10) for i in range(k)]
        ax.contourf(xx, yy, classes, levels=np.arange(k + 1) - 0.5, colors=palette,
                    alpha=0.35)
        point_colors = None if labels is None else [palette[v % k] for v in labels]
    ax.scatter(x[:, 0], x[:, 1], c=point_colors if point_colors else "0.2", s=18,
               edgecolors="black", linewidths=0.5, zorder=3)
    title = "Decision boundary"
    if labels is not None:
        guess = predicted_labels(predict_outputs(model, x.astype(dtype), _GRID_BATCH))
        title += f" (accuracy {np.mean(guess == labels):.3f})"
    ax.set_title(title)
    ax.set_xlabel("x[:, 0]")
    ax.set_ylabel("x[:, 1]")
    return finish(fig, path, show)
