"""`baro.plot.confusion_matrix`: which classes the model mixes up."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from baro.evaluation.labels import confusion_matrix as count_confusions
from baro.plot._figure import finish, subplots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_NORMALIZE = (None, "true", "pred", "all")
# Above this many classes the cell numbers would not be readable.
_MAX_ANNOTATED = 30


def confusion_matrix(y_true, y_pred, class_names=None, normalize: str | None = None,
                     path=None, show: bool = False) -> Figure:
    """The confusion matrix as a heat map with the count in each cell.

    Rows are the true classes and columns the predicted ones (the convention
    of `tf.math.confusion_matrix` and scikit-learn), so the diagonal holds
    the correct predictions and a bright off-diagonal cell a frequent mix-up.

    Args:
        y_true: Integer labels (N,) or one-hot rows (N, C).
        y_pred: Predicted labels (N,), or model outputs (scores (N, C) ->
            argmax, a sigmoid (N, 1) -> > 0.5).
        class_names: Optional names indexed by label (also fixes the number of
            classes).
        normalize: None (counts, default), "true" (each row sums to 1: recall
            per class), "pred" (each column sums to 1: precision) or "all".
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure (the matrix's Axes first, then its colour bar).

    Raises:
        ValueError: For an unknown `normalize`, or labels the names don't cover.
        ImportError: If matplotlib is not installed.
    """
    if normalize not in _NORMALIZE:
        raise ValueError(f"confusion_matrix: normalize must be one of {_NORMALIZE}, "
                         f"received {normalize!r}.")
    num_classes = None if class_names is None else len(class_names)
    counts = count_confusions(y_true, y_pred, num_classes)
    values = counts.astype(np.float64)
    if normalize is not None:
        axis = {"true": 1, "pred": 0, "all": None}[normalize]
        totals = values.sum(axis=axis, keepdims=axis is not None)
        # A class that never occurs keeps a row (or column) of zeros.
        values = np.divide(values, totals, out=np.zeros_like(values),
                           where=np.asarray(totals) > 0)
    n = len(values)
    names = [str(c) for c in class_names] if class_names is not None \
        else [str(i) for i in range(n)]
    size = max(4.0, 0.55 * n + 2.0)
    fig, axes = subplots(1, 1, figsize=(size + 1.0, size), layout="constrained")
    ax = axes[0, 0]
    image = ax.imshow(values, cmap="Blues", vmin=0.0,
                      vmax=max(float(values.max()), 1e-12))
    fig.colorbar(image, ax=ax, label="fraction" if normalize else "count")
    if n <= _MAX_ANNOTATED:
        threshold = values.max() / 2.0
        for i in range(n):
            for j in range(n):
                text = f"{values[i, j]:.2f}" if normalize else f"{counts[i, j]:d}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] > threshold else "black")
    ax.set_xticks(range(n), names, rotation=45 if max(map(len, names)) > 2 else 0,
                  ha="right" if max(map(len, names)) > 2 else "center")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"Confusion matrix (accuracy {accuracy:.4f})"
                 + (f", normalized over {normalize}" if normalize else ""))
    return finish(fig, path, show)
