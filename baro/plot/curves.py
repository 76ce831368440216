"""`baro.plot.history`: training and validation curves per epoch."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from baro.callbacks.callback import Callback, resolve_mode
from baro.plot._figure import finish, subplots

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _records(history) -> tuple[dict, list | None, object]:
    """(name -> values, 0-based epoch indices or None, a callback for resolve_mode)."""
    if isinstance(history, dict):
        return history, None, Callback()
    record = getattr(history, "history", None)
    if not isinstance(record, dict):
        raise TypeError(
            f"history: expected the History object that fit() returns, or its "
            f".history dict, received {type(history).__name__}.")
    probe = history if isinstance(history, Callback) else Callback()
    return record, list(getattr(history, "epoch", None) or []) or None, probe


def _quantities(record: dict, metrics) -> list[str]:
    """Quantity names (no "val_" prefix): loss first, then the metrics."""
    names = []
    for key in record:
        name = key.removeprefix("val_")
        if name not in names:
            names.append(name)
    names.sort(key=lambda n: n != "loss")  # stable: loss first, others in order
    if metrics is None:
        return names
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [m for m in metrics if m not in names]
    if unknown:
        raise ValueError(
            f"history: no record of {unknown}; the history holds {names}.")
    return (["loss"] if "loss" in names else []) + [m for m in metrics
                                                    if m != "loss"]


def _validation_epochs(n_train: int, n_val: int, epochs: np.ndarray) -> np.ndarray:
    """Epoch numbers of validation values (every k-th epoch with validation_freq=k)."""
    if n_val == n_train:
        return epochs[:n_val]
    if n_train and n_val and n_train % n_val == 0:
        return epochs[n_train // n_val - 1::n_train // n_val]
    return np.arange(1, n_val + 1)


def history(history, metrics=None, path=None, show: bool = False) -> Figure:
    """Training vs validation loss and metrics per epoch, one panel each.

    These are the curves that show overfitting: the training loss keeps
    falling while the validation loss turns back up. The best validation
    epoch (lowest loss, highest accuracy) is marked with a star.

    Args:
        history: The `History` object `model.fit` returns, or its `.history`
            dict (`{"loss": [...], "val_loss": [...], "accuracy": [...]}`).
        metrics: Names of the metrics to plot beside the loss (e.g.
            `["accuracy"]`); default every quantity in the history. `[]` plots
            the loss alone.
        path: Where to save the figure (PNG unless the suffix says otherwise).
        show: Whether to open it in a window (`plt.show()`).

    Returns:
        The matplotlib Figure: one Axes per quantity, each with a "training"
        line, a "validation" line when there is validation data, and the
        best-epoch marker.

    Raises:
        TypeError: If `history` is neither a History nor a dict.
        ValueError: If it is empty or a requested metric is not in it.
        ImportError: If matplotlib is not installed.

    Example:
        >>> import baro.plot  # doctest: +SKIP
        >>> baro.plot.history({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.8]},
        ...                   path="loss.png")  # doctest: +SKIP
    """
    record, epoch_index, probe = _records(history)
    if not any(len(v) for v in record.values()):
        raise ValueError("history: the record is empty; train with fit() first.")
    names = _quantities(record, metrics)
    cols = min(len(names), 3)
    rows = math.ceil(len(names) / cols)
    fig, axes = subplots(rows, cols, figsize=(5.0 * cols, 3.6 * rows),
                         layout="constrained")
    for ax, name in zip(axes.flat, names, strict=False):
        train = np.asarray(record.get(name, []), dtype=np.float64)
        val = np.asarray(record.get(f"val_{name}", []), dtype=np.float64)
        n = max(len(train), len(val))
        epochs = np.arange(1, n + 1)
        if epoch_index is not None and len(epoch_index) == n:
            epochs = np.asarray(epoch_index) + 1  # fit(initial_epoch=...) resumes
        if len(train):
            ax.plot(epochs[:len(train)], train, "o-", color="tab:blue",
                    markersize=3, label="training")
        if len(val):
            val_epochs = _validation_epochs(len(train), len(val), epochs)
            ax.plot(val_epochs, val, "o-", color="tab:orange", markersize=3,
                    label="validation")
            _mark_best(ax, val_epochs, val, resolve_mode(probe, f"val_{name}",
                                                         "auto", default="min"))
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, alpha=0.3)
        ax.legend()
    for ax in list(axes.flat)[len(names):]:
        ax.remove()
    return finish(fig, path, show)


def _mark_best(ax, epochs: np.ndarray, values: np.ndarray, mode: str) -> None:
    finite = np.isfinite(values)
    if not finite.any():
        return
    masked = np.where(finite, values, np.inf if mode == "min" else -np.inf)
    best = int(np.argmin(masked) if mode == "min" else np.argmax(masked))
    ax.scatter([epochs[best]], [values[best]], marker="*", s=160, color="red",
               zorder=3, label=f"best: epoch {epochs[best]}")
    # Inside the curves: above a minimum, below a maximum.
    above = mode == "min"
    ax.annotate(f"best {values[best]:.4g}\n(epoch {epochs[best]})",
                (epochs[best], values[best]), textcoords="offset points",
                xytext=(0, 10 if above else -10), va="bottom" if above else "top",
                ha="center", fontsize=8, color="red")
