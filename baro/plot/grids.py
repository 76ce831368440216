"""`baro.plot.images` and `baro.plot.mistakes`: image grids with labels."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from baro.evaluation.labels import (
    as_numpy,
    predict_outputs,
    predicted_labels,
    true_labels,
)
from baro.plot._figure import finish, shorten, subplots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WRONG = "red"


def displayable(x, op: str = "images") -> np.ndarray:
    """Images (N, H, W) or (N, H, W, 3|4) from any layout `baro.plot` accepts.

    (N, H, W, 1) loses its channel axis; flat (N, D) rows become square images
    (784 -> 28x28, 64 -> 8x8).

    Raises:
        ValueError: For other shapes, naming what was received.
    """
    x = as_numpy(x)
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1] or side < 2:
            raise ValueError(
                f"{op}: flat rows must hold a square image (784 = 28x28, 64 = "
                f"8x8), received {x.shape[1]} values per image; reshape to (N, H, "
                "W) or (N, H, W, C).")
        return x.reshape(len(x), side, side)
    if x.ndim == 4 and x.shape[-1] == 1:
        return x[..., 0]
    if x.ndim == 3 or (x.ndim == 4 and x.shape[-1] in (3, 4)):
        return x
    raise ValueError(
        f"{op}: expected images (N, H, W), (N, H, W, 1), (N, H, W, 3) or flat "
        f"(N, H*W), received shape {x.shape}.")


def rgb_in_unit_range(x: np.ndarray) -> np.ndarray:
    """Colour images as floats in [0, 1] (uint8 or 0..255 floats are divided)."""
    x = x.astype(np.float64)
    low, high = float(np.min(x)), float(np.max(x))
    if low < 0.0:  # standardized inputs: stretch the batch's range
        return (x - low) / (high - low if high > low else 1.0)
    return np.clip(x / 255.0 if high > 1.0 else x, 0.0, 1.0)


def _name(label: int, class_names) -> str:
    if class_names is None:
        return str(label)
    if not 0 <= label < len(class_names):
        raise ValueError(f"class_names has {len(class_names)} names, but a label "
                         f"is {label}.")
    return str(class_names[label])


def images(x, labels=None, predictions=None, class_names=None, n: int = 25,
           cols: int = 5, path=None, show: bool = False,
           title: str | None = None) -> Figure:
    """A grid of the first `n` images, titled with their labels.

    Titles read "label", or "true/pred" when `predictions` are given; a wrong
    prediction gets a red title and a red frame.

    Args:
        x: Images (N, H, W), (N, H, W, 1), (N, H, W, 3) or flat square rows
            (N, 784) -> 28x28. Grayscale is drawn with one scale for the grid;
            colour as [0, 1] floats or 0..255.
        labels: Optional true labels (N,) or one-hot rows (N, C).
        predictions: Optional predicted labels, or model outputs (class scores
            (N, C) -> argmax, a sigmoid (N, 1) -> > 0.5).
        class_names: Optional names indexed by label.
        n: How many images to show at most. Default 25.
        cols: Images per row. Default 5.
        path: Where to save the figure (PNG unless the suffix says otherwise).
        show: Whether to open it in a window.
        title: Optional title above the grid.

    Returns:
        The matplotlib Figure, one Axes per image shown.

    Raises:
        ValueError: For a shape that is not a batch of images, or labels and
            predictions whose length is not the number of images.
        ImportError: If matplotlib is not installed.

    Example:
        >>> import baro.plot  # doctest: +SKIP
        >>> baro.plot.images(x_test, y_test, model.predict(x_test),
        ...                  path="predictions.png")  # doctest: +SKIP
    """
    pictures = displayable(x, "images")
    if n < 1 or cols < 1:
        raise ValueError(f"images: n and cols must be >= 1, received n={n}, "
                         f"cols={cols}.")
    truth = None if labels is None else true_labels(labels, "images: labels")
    guess = None if predictions is None else predicted_labels(
        predictions, "images: predictions")
    for name, values in (("labels", truth), ("predictions", guess)):
        if values is not None and len(values) != len(pictures):
            raise ValueError(f"images: {len(pictures)} images but {len(values)} "
                             f"{name}.")
    count = min(n, len(pictures))
    if count == 0:
        raise ValueError("images: there are no images to show.")
    cols = min(cols, count)
    rows = math.ceil(count / cols)
    fig, axes = subplots(rows, cols, figsize=(1.6 * cols, 1.75 * rows + 0.4),
                         layout="constrained")
    shown = pictures[:count]
    if shown.ndim == 4:
        shown = rgb_in_unit_range(shown)
        scale = {}
    else:
        low, high = float(np.min(shown)), float(np.max(shown))
        scale = {"cmap": "gray", "vmin": low, "vmax": high if high > low else low + 1}
    for i, ax in enumerate(axes.flat):
        if i >= count:
            ax.remove()
            continue
        ax.imshow(shown[i], interpolation="nearest", **scale)
        ax.set_xticks([])
        ax.set_yticks([])
        wrong = truth is not None and guess is not None and truth[i] != guess[i]
        parts = [_name(int(v[i]), class_names) for v in (truth, guess)
                 if v is not None]
        ax.set_title(shorten("/".join(parts), 18), fontsize=9,
                     color=WRONG if wrong else "black")
        for spine in ax.spines.values():
            spine.set_visible(wrong)
            spine.set_color(WRONG)
            spine.set_linewidth(3)
    if title is None and truth is not None and guess is not None:
        title = "true/predicted (red: wrong)"
    if title:
        fig.suptitle(title, fontsize=10)
    return finish(fig, path, show)


def mistakes(model, x, y, class_names=None, n: int = 25, cols: int = 5,
             batch_size: int = 256, path=None, show: bool = False) -> Figure:
    """Predicts `x` with `model` and shows only the misclassified images.

    Args:
        model: A model with `predict`, or a callable from a batch to outputs.
        x: Images as `images` accepts them, in the layout the model takes.
        y: True labels (N,) or one-hot rows (N, C).
        class_names: Optional names indexed by label.
        n: How many mistakes to show at most. Default 25.
        cols: Images per row. Default 5.
        batch_size: Prediction batch size. Default 256.
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure; titled "k of N misclassified". With no mistakes
        it holds a single message instead of a grid.

    Raises:
        ValueError: If `x` and `y` differ in length (or as `images`).
    """
    truth = true_labels(y, "mistakes: y")
    guess = predicted_labels(predict_outputs(model, x, batch_size),
                             "mistakes: predictions")
    if len(truth) != len(guess):
        raise ValueError(f"mistakes: {len(guess)} predictions but {len(truth)} "
                         "labels in y.")
    wrong = np.flatnonzero(truth != guess)
    if len(wrong) == 0:
        fig, axes = subplots(1, 1, figsize=(4, 1.2))
        axes[0, 0].axis("off")
        axes[0, 0].text(0.5, 0.5, f"No mistakes: all {len(truth)} images are "
                        "classified correctly.", ha="center", va="center")
        return finish(fig, path, show)
    pictures = as_numpy(x)[wrong]
    title = (f"{len(wrong)} of {len(truth)} misclassified "
             f"(showing {min(n, len(wrong))}; titles: true/predicted)")
    return images(pictures, truth[wrong], guess[wrong], class_names, n, cols,
                  path, show, title)
