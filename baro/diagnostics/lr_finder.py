"""`lr_find`: sweep the learning rate, watch the loss, suggest a rate.

Leslie Smith's range test ("Cyclical Learning Rates for Training Neural
Networks", 2017), as fastai popularised it: train for a few hundred steps
while the learning rate grows exponentially from `start_lr` to `end_lr`,

    lr_i = start_lr * (end_lr / start_lr) ** (i / (steps - 1)),

and record each batch's loss. Too small a rate leaves the loss flat, a good one
makes it fall fast, too large a one makes it blow up. The sweep stops once the
running loss exceeds `diverge_threshold` times its best value (or is not
finite). The model's weights and its optimizer are left exactly as they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from baro.training import data as data_module

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_SUGGESTIONS = ("steepest", "minimum")


@dataclass
class LRFinderResult:
    """What `lr_find` saw: the learning rates tried and the loss at each.

    Attributes:
        lrs: The learning rates of the steps run (ascending).
        losses: The loss of each step's batch (before that step's update).
        smoothed: `losses` smoothed by a centered moving average (no lag, so
            the curve's features sit at the learning rates that caused them).
        suggestion: The suggested learning rate (see `method`).
        method: "steepest" (where the smoothed loss falls fastest per decade
            of learning rate, before its minimum) or "minimum" (a tenth of the
            learning rate at the smoothed loss's minimum).
        steepest_lr: The "steepest" answer.
        lr_at_minimum: The learning rate where the smoothed loss is lowest
            (training is already unstable there; the "minimum" answer is a
            tenth of it).
        diverged: Whether the sweep stopped early because the loss blew up.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    method: str
    steepest_lr: float
    lr_at_minimum: float
    diverged: bool = field(default=False)

    def __repr__(self) -> str:
        return (f"LRFinderResult(suggestion={self.suggestion:.3g} ({self.method}), "
                f"steepest_lr={self.steepest_lr:.3g}, "
                f"lr_at_minimum={self.lr_at_minimum:.3g}, steps={len(self.lrs)}, "
                f"diverged={self.diverged})")

    def plot(self, path=None, show: bool = False) -> Figure:
        """Loss against learning rate (log axis), the suggestion marked.

        Args:
            path: Where to save the figure (PNG unless the suffix says
                otherwise), written atomically.
            show: Whether to open it in a window.

        Returns:
            The matplotlib Figure.

        Raises:
            ImportError: If matplotlib is not installed.
        """
        from baro.plot._figure import finish, subplots

        fig, axes = subplots(figsize=(6.0, 4.0), layout="constrained")
        ax = axes[0, 0]
        ax.plot(self.lrs, self.losses, color="tab:blue", alpha=0.3, label="loss")
        ax.plot(self.lrs, self.smoothed, color="tab:blue", label="smoothed")
        at = int(np.argmin(np.abs(np.log(self.lrs) - math.log(self.suggestion))))
        ax.scatter([self.suggestion], [self.smoothed[at]], color="red", zorder=3,
                   label=f"suggestion: {self.suggestion:.2g} ({self.method})")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.set_title("Learning-rate finder")
        ax.grid(True, alpha=0.3)
        ax.legend()
        return finish(fig, path, show)


def lr_find(model, x, y, start_lr: float = 1e-7, end_lr: float = 10.0,
            steps: int = 100, batch_size: int = 32, suggest: str = "steepest",
            diverge_threshold: float = 4.0, seed: int | None = 0) -> LRFinderResult:
    """Sweeps the learning rate exponentially and suggests one.

    Each step trains on one batch (`train_on_batch`, so the compiled step is
    used) with `lr_i = start_lr * (end_lr / start_lr) ** (i / (steps - 1))`.
    The sweep stops early when the running loss (an exponential average,
    beta 0.98, bias-corrected) exceeds `diverge_threshold` times its lowest
    value, or when the loss stops being finite.

    The sweep uses a fresh copy of the model's optimizer (same class and
    hyperparameters, a float learning rate the sweep sets each step), so the
    model's own optimizer (its iterations, slots and learning rate or
    schedule) is never touched; every model weight (trainable or not) is
    restored bit for bit afterwards. Random layers (Dropout) draw from baro's
    generator during the sweep, so later draws differ.

    Args:
        model: A compiled model.
        x: Input arrays (an array, or a list/dict of arrays).
        y: Target arrays.
        start_lr: First learning rate (default 1e-7), > 0.
        end_lr: Last learning rate (default 10), > start_lr.
        steps: Number of steps (default 100; a few hundred for noisy losses).
        batch_size: Samples per step (default 32); batches are drawn without
            replacement, reshuffled after each pass over the data.
        suggest: "steepest" (default): the learning rate where the smoothed
            loss falls fastest per decade, before its minimum; or "minimum": a
            tenth of the learning rate at the minimum (fastai's two rules).
        diverge_threshold: Stop once the running loss exceeds this multiple of
            its best value (default 4).
        seed: Seed of the batch order.

    Returns:
        An `LRFinderResult` (`.suggestion`, `.lrs`, `.losses`, `.plot()`).

    Raises:
        RuntimeError: If the model is not compiled.
        ValueError: For invalid arguments, or if the loss is not finite even at
            the smallest learning rates.

    Example:
        >>> import numpy as np
        >>> from baro.diagnostics.lr_finder import lr_find
        >>> from baro.keras import Sequential, layers
        >>> model = Sequential([layers.Dense(1, input_dim=3)])
        >>> model.compile("sgd", "mse")
        >>> x = np.random.default_rng(0).normal(size=(256, 3)).astype("float32")
        >>> result = lr_find(model, x, x.sum(1), steps=60)
        >>> 1e-4 < result.suggestion < 1
        True
    """
    _check_arguments(model, start_lr, end_lr, steps, batch_size, suggest,
                     diverge_threshold)
    x, y = data_module.to_arrays(x), data_module.to_arrays(y)
    n = _length(x, y)
    rng = np.random.default_rng(seed)
    batches = _batches(n, min(batch_size, n), rng)
    saved = [w.data.copy() for w in model.weights]
    original = model.optimizer
    sweep = type(original).from_config({**original.get_config(),
                                        "learning_rate": float(start_lr)})
    ratio = end_lr / start_lr
    lrs, losses = [], []
    average, best, diverged = 0.0, math.inf, False
    try:
        model.optimizer = sweep
        with np.errstate(all="ignore"):  # the sweep overflows on purpose
            for i in range(steps):
                lr = start_lr * ratio ** (i / max(steps - 1, 1))
                sweep.learning_rate = lr
                index = next(batches)
                loss = _train_step(model, _take(x, index), _take(y, index), i)
                if loss is None:
                    diverged = True
                    break
                lrs.append(lr)
                losses.append(loss)
                average = 0.98 * average + 0.02 * loss
                running = average / (1 - 0.98 ** (i + 1))
                if not math.isfinite(loss) or running > diverge_threshold * best:
                    diverged = True
                    break
                best = min(best, running)
    finally:
        model.optimizer = original
        for weight, value in zip(model.weights, saved, strict=True):
            weight.data[...] = value
        model.reset_metrics()
    return _result(np.asarray(lrs), np.asarray(losses), suggest, diverged)


def _check_arguments(model, start_lr, end_lr, steps, batch_size, suggest,
                     diverge_threshold) -> None:
    if not getattr(model, "compiled", False) or model.compiled_loss is None:
        raise RuntimeError(
            "lr_find: the model must be compiled with an optimizer and a loss "
            "first, e.g. model.compile(optimizer='adam', loss='mse').")
    if not 0 < start_lr < end_lr:
        raise ValueError(f"lr_find: need 0 < start_lr < end_lr, received "
                         f"start_lr={start_lr!r}, end_lr={end_lr!r}.")
    if not isinstance(steps, int) or steps < 5:
        raise ValueError(f"lr_find: steps must be an integer >= 5 (a few hundred "
                         f"is typical), received steps={steps!r}.")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"lr_find: batch_size must be a positive integer, "
                         f"received batch_size={batch_size!r}.")
    if suggest not in _SUGGESTIONS:
        raise ValueError(f"lr_find: suggest must be one of {_SUGGESTIONS}, "
                         f"received suggest={suggest!r}.")
    if not diverge_threshold > 1:
        raise ValueError(f"lr_find: diverge_threshold must be > 1, received "
                         f"{diverge_threshold!r}.")


def _length(x, y) -> int:
    sizes = {len(a) for a in data_module.flatten(x) + data_module.flatten(y)
             if a is not None}
    if len(sizes) != 1 or not all(isinstance(a, np.ndarray) for a in
                                  data_module.flatten(x)):
        raise ValueError(
            f"lr_find: x and y must be arrays (or lists/dicts of arrays) with the "
            f"same number of samples; received sample counts {sorted(sizes)}. "
            "Datasets and generators are not supported: pass arrays.")
    return sizes.pop()


def _batches(n: int, batch_size: int, rng):
    """Index arrays of `batch_size` samples, reshuffled after every pass."""
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start:start + batch_size]


def _take(structure, index):
    return data_module.map_structure(lambda a: a[index], structure)


def _train_step(model, x, y, step: int) -> float | None:
    """One step's loss (None when ops refuse values the sweep blew up)."""
    try:  # train_on_batch resets the metrics: the loss is this batch's alone
        logs = model.train_on_batch(x, y, return_dict=True)
    except (ValueError, FloatingPointError):
        if step == 0:  # not a blow-up: a real problem with the data or model
            raise
        return None
    return float(logs["loss"])


def _smooth(values: np.ndarray, half: int) -> np.ndarray:
    """Centered moving average over `2 * half + 1` points (fewer at the ends)."""
    out = np.empty_like(values)
    for i in range(len(values)):
        out[i] = values[max(0, i - half):i + half + 1].mean()
    return out


def _steepest(lrs: np.ndarray, smoothed: np.ndarray, reach: int,
              lowest: int) -> int:
    """Index (up to `lowest`) of the fastest fall per decade. Each slope is
    taken between the points `reach` away on either side: batch-to-batch noise
    divided by a short step in log(lr) would dwarf the real descent."""
    log_lr = np.log10(lrs)
    last = len(smoothed) - 1
    slopes = np.empty(lowest + 1)
    for i in range(lowest + 1):
        lo, hi = max(0, i - reach), min(last, i + reach)
        slopes[i] = (smoothed[hi] - smoothed[lo]) / (log_lr[hi] - log_lr[lo])
    return int(np.argmin(slopes))


def _result(lrs, losses, suggest: str, diverged: bool) -> LRFinderResult:
    finite = np.isfinite(losses)
    if finite.sum() < 3:
        raise ValueError(
            "lr_find: the loss was not finite even at the smallest learning "
            "rates. Check the data (NaN or huge values; scale inputs to about "
            "[-1, 1]) and the loss, or lower start_lr.")
    lrs, losses = lrs[finite], losses[finite]
    # Points per decade of learning rate: smooth over 0.15 decade and take
    # slopes across one decade, whatever the number of steps.
    per_decade = (len(lrs) - 1) / max(math.log10(lrs[-1] / lrs[0]), 1e-12)
    smoothed = _smooth(losses, max(1, round(0.15 * per_decade)))
    lowest = int(np.argmin(smoothed))
    lr_at_minimum = float(lrs[lowest])
    if lowest >= 2:
        reach = max(1, round(0.5 * per_decade))
        steepest = float(lrs[_steepest(lrs, smoothed, reach, lowest)])
    else:  # the loss never fell: the minimum rule is all there is
        steepest = lr_at_minimum / 10
    suggestion = steepest if suggest == "steepest" else lr_at_minimum / 10
    return LRFinderResult(lrs, losses, smoothed, suggestion, suggest, steepest,
                          lr_at_minimum, diverged)
