"""Per-layer weight, gradient and activation statistics from one probe.

`inspect(model, x, y)` runs one forward and one backward pass on a sample and
measures, for every layer (in the order the forward pass calls them):

    weight norm      ||W||_2 over the layer's trainable weights
    gradient norm    ||dL/dW||_2, and its RMS ||dL/dW||_2 / sqrt(#weights)
    ratio            ||dL/dW|| / ||W||  (a step of size lr moves W by ~lr x ratio)
    activations      mean and std of the layer's output
    dead             fraction of ReLU units (last axis) that are 0 for the whole
                     sample, so no gradient reaches their weights
    saturated        fraction of sigmoid outputs outside [0.01, 0.99], or of
                     tanh outputs with |y| > 0.99 (there sigma' < 0.01, tanh' < 0.02)

The probe runs the model eagerly in inference mode (`training=False`): no
dropout draws, no BatchNormalization statistics updates, so probing never
changes the model or the random streams training uses. Activations are caught
by wrapping each leaf layer's `call` for the duration of the forward pass.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from baro.core.engine import gradients
from baro.losses import get as get_loss
from baro.ops import mean
from baro.utils.summary_utils import table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RELU_FAMILY = {"relu", "relu6"}
SATURATING = {"sigmoid": (0.01, 0.99), "hard_sigmoid": (0.01, 0.99),
              "tanh": (-0.99, 0.99)}


@dataclass
class LayerStats:
    """One layer's numbers from a probe (None where a number does not apply)."""

    name: str
    class_name: str
    activation: str | None
    params: int
    weight_norm: float | None = None
    grad_norm: float | None = None
    grad_rms: float | None = None
    grad_weight_ratio: float | None = None
    activation_mean: float | None = None
    activation_std: float | None = None
    dead_fraction: float | None = None
    saturated_fraction: float | None = None
    input_scale: float | None = None  # 99th percentile of |input|, per feature max
    has_kernel: bool = False  # a weight of rank >= 2 (Dense, Conv, RNN kernels)


@dataclass
class InspectionReport:
    """What `inspect` measured: per-layer rows, the loss and the predictions.

    Attributes:
        rows: A `LayerStats` per layer, in call order (`pandas.DataFrame(
            [asdict(r) for r in report.rows])` makes a frame of them).
        loss: The loss on the sample.
        predictions: The model's (first) output on the sample, as NumPy.
        sample_size: Number of samples probed.
    """

    rows: list[LayerStats]
    loss: float
    predictions: np.ndarray | None
    sample_size: int

    def weighted(self) -> list[LayerStats]:
        """Rows of layers with a kernel (the ones gradient rules compare)."""
        return [r for r in self.rows if r.has_kernel and r.grad_rms is not None]

    def total_grad_norm(self) -> float:
        """sqrt(sum of squared gradient norms) over all layers."""
        norms = [r.grad_norm for r in self.rows if r.grad_norm is not None]
        return math.sqrt(sum(n * n for n in norms))

    def as_dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (for JSON or pandas)."""
        return [asdict(r) for r in self.rows]

    def table(self) -> str:
        """The rows as a box table, like `model.summary()`."""
        header = ["Layer (type)", "Act.", "|W|", "|dW|", "|dW|/|W|", "mean", "std",
                  "dead", "satur."]
        rows = [[f"{r.name} ({r.class_name})", r.activation or "",
                 _num(r.weight_norm), _num(r.grad_norm), _num(r.grad_weight_ratio),
                 _num(r.activation_mean), _num(r.activation_std),
                 _pct(r.dead_fraction), _pct(r.saturated_fraction)]
                for r in self.rows]
        widths = [max([len(header[0])] + [len(row[0]) for row in rows]), 8] + [9] * 7
        text = table(header, rows, widths, align_right=set(range(2, 9)))
        return f"{text}\n Loss on {self.sample_size} samples: {self.loss:.4g}"

    def __str__(self) -> str:
        return self.table()

    def plot(self, path=None, show: bool = False) -> Figure:
        """Per layer, in call order: gradient norm and |dW|/|W| (log scale; a
        vanishing gradient is a straight rising line), and the dead and
        saturated fractions.

        Args:
            path: Where to save the figure (PNG unless the suffix says
                otherwise), written atomically. Default None (not saved).
            show: Whether to open it in a window (default False).

        Returns:
            The matplotlib Figure.

        Raises:
            ImportError: If matplotlib is not installed.
        """
        from baro.plot._figure import finish, shorten, subplots

        names = [shorten(r.name, 16) for r in self.rows]
        where = np.arange(len(names))
        fig, axes = subplots(1, 3, figsize=(max(10.0, 0.45 * len(names) + 7), 3.6))
        for ax, title, key in ((axes[0, 0], "gradient norm |dW|", "grad_norm"),
                               (axes[0, 1], "|dW| / |W|", "grad_weight_ratio")):
            values = np.array([_finite(getattr(r, key)) for r in self.rows])
            ax.plot(where, values, marker="o", color="tab:blue")
            if np.any(values > 0):
                ax.set_yscale("log")
            ax.set_title(title)
        ax = axes[0, 2]
        for offset, key, label, color in (
                (-0.2, "dead_fraction", "dead (ReLU)", "tab:red"),
                (0.2, "saturated_fraction", "saturated (sigmoid/tanh)", "tab:orange")):
            values = [_finite(getattr(r, key)) for r in self.rows]
            ax.bar(where + offset, np.nan_to_num(values), width=0.4, label=label,
                   color=color)
        ax.set_ylim(0, 1)
        ax.set_title("dead / saturated fraction")
        ax.legend(fontsize=8)
        for ax in axes[0]:
            ax.set_xticks(where, names, rotation=60, ha="right", fontsize=8)
        fig.tight_layout()
        return finish(fig, path, show)


def _finite(value: float | None) -> float:
    return value if value is not None and math.isfinite(value) else float("nan")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.0f}%"


# -- sampling ------------------------------------------------------------------------
def _rows(x) -> int | None:
    if isinstance(x, dict):
        x = next(iter(x.values()), None)
    elif isinstance(x, (list, tuple)):
        x = x[0] if x else None
    shape = getattr(x, "shape", None)
    return int(shape[0]) if shape else None


def _take(x, index: np.ndarray):
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: _take(v, index) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_take(v, index) for v in x]
    return np.asarray(x)[index]


def sample(x: Any, y: Any, sample_size: int, seed: int = 0) -> tuple[Any, Any]:
    """At most `sample_size` rows of (x, y), drawn without replacement by a
    private generator (training's random streams are not touched).

    Returns:
        (x_sample, y_sample), or (None, None) if `x` is not array data.
    """
    n = _rows(x)
    if n is None or n == 0:
        return None, None
    if n <= sample_size:
        index = np.arange(n)
    else:
        index = np.sort(np.random.default_rng(seed).choice(n, sample_size,
                                                           replace=False))
    return _take(x, index), _take(y, index)


# -- the probe -----------------------------------------------------------------------
def activation_name(layer: Any) -> str | None:
    """"relu", "sigmoid", "tanh", "softmax", ... for a layer, else None."""
    kind = type(layer).__name__
    if kind == "ReLU":
        return "leaky_relu" if getattr(layer, "negative_slope", 0) else "relu"
    if kind in ("LeakyReLU", "PReLU", "ELU", "Softmax"):
        return {"LeakyReLU": "leaky_relu", "PReLU": "prelu", "ELU": "elu",
                "Softmax": "softmax"}[kind]
    function = getattr(layer, "activation", None)
    name = function if isinstance(function, str) else \
        getattr(function, "__name__", None)
    return None if name in (None, "linear") else name


def leaf_layers(model: Any) -> list:
    """The layers that compute, each once (sub-models are opened, InputLayers
    skipped)."""
    found, stack = [], list(reversed(getattr(model, "layers", []) or []))
    while stack:
        layer = stack.pop()
        inner = getattr(layer, "layers", None)
        if isinstance(inner, list) and inner:
            stack.extend(reversed(inner))
        elif type(layer).__name__ != "InputLayer" and \
                all(layer is not known for known in found):
            found.append(layer)
    return found


def _first_array(value):
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value.numpy() if hasattr(value, "numpy") else None


def _capture_forward(model, x, layers: list):
    """Calls the model with every leaf layer's `call` wrapped to keep its first
    input and output; returns (predictions, {id(layer): (input, output)})."""
    seen: dict[int, tuple] = {}

    def wrap(layer):
        original = layer.call

        def call(inputs, *args, **kwargs):
            outputs = original(inputs, *args, **kwargs)
            if id(layer) not in seen:
                seen[id(layer)] = (_first_array(inputs), _first_array(outputs))
            return outputs

        return call

    try:
        for layer in layers:
            # The instance attribute shadows the class's call; __dict__ skips
            # Layer.__setattr__'s weight tracking.
            layer.__dict__["call"] = wrap(layer)
        y_pred = model(x, training=False)
    finally:
        for layer in layers:
            layer.__dict__.pop("call", None)
    return y_pred, seen


def _norm(arrays: list) -> float:
    return math.sqrt(sum(float(np.sum(np.square(a, dtype=np.float64)))
                         for a in arrays))


def _layer_stats(layer, io, grads: dict[int, np.ndarray]) -> LayerStats:
    weights = list(layer.trainable_weights)
    stats = LayerStats(layer.name, type(layer).__name__, activation_name(layer),
                       int(layer.count_params()) if layer.built else 0,
                       has_kernel=any(len(w.shape) >= 2 for w in weights))
    if weights:
        stats.weight_norm = _norm([w.numpy() for w in weights])
        found = [grads[id(w)] for w in weights if id(w) in grads]
        if found:
            stats.grad_norm = _norm(found)
            stats.grad_rms = stats.grad_norm / math.sqrt(sum(g.size for g in found))
            if stats.weight_norm > 0:
                stats.grad_weight_ratio = stats.grad_norm / stats.weight_norm
    inputs, outputs = io if io is not None else (None, None)
    # Integer inputs count too (uint8 pixels); Embedding ids are skipped by the
    # rule that reads this.
    if inputs is not None and inputs.size and np.issubdtype(inputs.dtype,
                                                            np.number):
        features = np.abs(inputs.reshape(len(inputs), -1).astype(np.float64))
        stats.input_scale = float(np.max(np.percentile(features, 99, axis=0)))
    if outputs is not None and outputs.size and np.issubdtype(outputs.dtype,
                                                              np.floating):
        values = outputs.astype(np.float64)
        stats.activation_mean = float(values.mean())
        stats.activation_std = float(values.std())
        units = values.reshape(-1, values.shape[-1]) if values.ndim > 1 else \
            values.reshape(-1, 1)
        if stats.activation in RELU_FAMILY:
            stats.dead_fraction = float(np.mean(np.all(units <= 0, axis=0)))
        if stats.activation in SATURATING:
            low, high = SATURATING[stats.activation]
            stats.saturated_fraction = float(np.mean((values < low) | (values > high)))
    return stats


def probe(model: Any, x: Any, y: Any, loss: Any = None) -> InspectionReport:
    """One forward and backward pass on (x, y), measured per layer.

    Args:
        model: A built or buildable model (called as `model(x, training=False)`).
        x: Input arrays (already sampled).
        y: Targets for the loss.
        loss: A loss (name, instance or function) to use instead of the model's
            compiled loss (default None: `model.compute_loss`).

    Returns:
        An `InspectionReport`.

    Raises:
        ValueError: If no loss is given and the model is not compiled.
    """
    if loss is None and getattr(model, "compiled_loss", None) is None:
        raise ValueError(
            "inspect needs a loss: compile the model first (model.compile("
            "optimizer, loss)) or pass loss=..., e.g. loss='mse'.")
    # A diverged model overflows; the rules report that, NumPy need not warn.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _probe(model, x, y, loss)


def _probe(model, x, y, loss) -> InspectionReport:
    layers = leaf_layers(model)
    y_pred, seen = _capture_forward(model, x, layers)
    if loss is None:
        value = model.compute_loss(x, y, y_pred)
    else:  # a loss function gives per-sample values; a Loss object a scalar
        value = mean(get_loss(loss)(y, y_pred))
    variables = list(model.trainable_weights)
    grads = {}
    if variables and getattr(value, "requires_grad", False):
        found = gradients([value], variables)
        grads = {id(v): g.numpy() if hasattr(g, "numpy") else np.asarray(g)
                 for v, g in zip(variables, found, strict=True) if g is not None}
    rows = [_layer_stats(layer, seen.get(id(layer)), grads) for layer in layers
            if id(layer) in seen]
    return InspectionReport(rows, float(np.asarray(value.numpy())),
                            _first_array(y_pred), _rows(x) or 0)


def inspect(model: Any, x: Any, y: Any, sample_size: int = 256, loss: Any = None,
            seed: int = 0) -> InspectionReport:
    """Per-layer weight, gradient and activation statistics on a sample.

    Runs one forward and one backward pass (inference mode, no weight update)
    on at most `sample_size` rows of (x, y) and returns, per layer: the weight
    norm ||W||, the gradient norm ||dL/dW|| and the ratio ||dL/dW|| / ||W||,
    the activations' mean and std, the fraction of dead ReLU units (zero for
    every sample) and of saturated sigmoid/tanh outputs.

    Args:
        model: The model; compiled, or pass `loss`.
        x: Inputs (array, or list/dict of arrays).
        y: Targets.
        sample_size: Rows probed, drawn without replacement (default 256).
        loss: Loss to use instead of the compiled one (default None).
        seed: Seed of the row sampling (default 0).

    Returns:
        An `InspectionReport`: `.rows` (data), `str(report)` / `.table()`
        (text) and `.plot()` (matplotlib).

    Raises:
        ValueError: If `x` holds no rows, or there is no loss to probe with.

    Example:
        >>> import numpy as np
        >>> from baro.keras import Sequential, layers
        >>> model = Sequential([layers.Input((4,)), layers.Dense(8, "relu"),
        ...                     layers.Dense(1)])
        >>> model.compile("adam", "mse")
        >>> x = np.ones((16, 4), "float32")
        >>> report = inspect(model, x, np.zeros((16, 1), "float32"))
        >>> [row.name for row in report.rows] == [layer.name for layer in model.layers]
        True
    """
    xs, ys = sample(x, y, sample_size, seed)
    if xs is None:
        raise ValueError(
            f"inspect expects array inputs with at least one row, received "
            f"{type(x).__name__}. Pass NumPy arrays (e.g. x[:256], y[:256]).")
    return probe(model, xs, ys, loss)
