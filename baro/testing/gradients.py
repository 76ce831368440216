"""`check_gradients`: backprop against finite differences, for users' layers.

A custom layer (or a custom `Function` inside it) with a wrong backward trains
badly without any error. This check computes, for the input and every trainable
weight, the derivative of one scalar objective twice: by baro's backward pass,
and by central differences in float64,

    d f / d w_j ~ (f(w + eps e_j) - f(w - eps e_j)) / (2 eps),   error O(eps^2),

and reports the worst mismatch per weight, by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from baro import losses as losses_module
from baro import ops
from baro.core.engine import gradients
from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor


@dataclass
class GradientCheck:
    """The comparison for one input or weight.

    Attributes:
        name: "input" (or "input 0", ... for several) or the weight's path
            ("dense/kernel").
        shape: Its shape.
        checked: How many of its elements were perturbed.
        max_abs_error: max |analytic - numeric| over those elements.
        max_rel_error: max |analytic - numeric| / max(|analytic|, |numeric|).
        passed: Whether every element satisfies
            |analytic - numeric| <= atol + rtol * |numeric|.
        worst_index: Index of the largest absolute error.
        analytic, numeric: The two derivatives at that index.
    """

    name: str
    shape: tuple
    checked: int
    max_abs_error: float
    max_rel_error: float
    passed: bool
    worst_index: tuple
    analytic: float
    numeric: float


class GradientCheckReport:
    """The result of `check_gradients`: one `GradientCheck` per input/weight.

    `report.passed` is True when all pass; `report.failures` lists the others;
    `str(report)` is a table; `report.raise_if_failed()` raises AssertionError
    naming each failing weight (for tests).
    """

    def __init__(self, owner: str, checks: list[GradientCheck], atol: float,
                 rtol: float) -> None:
        self.owner = owner
        self.checks = checks
        self.atol = atol
        self.rtol = rtol

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[GradientCheck]:
        return [c for c in self.checks if not c.passed]

    def __getitem__(self, name: str) -> GradientCheck:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"{name!r}: checked {[c.name for c in self.checks]}")

    def __str__(self) -> str:
        width = max([len(c.name) for c in self.checks] + [6])
        lines = [f"Gradient check of {self.owner} (float64 central differences, "
                 f"atol {self.atol:g}, rtol {self.rtol:g}):",
                 f"  {'weight':<{width}}  {'shape':<14} {'checked':>7}  "
                 f"{'max abs err':>11}  {'max rel err':>11}  result"]
        for c in self.checks:
            verdict = "ok" if c.passed else (
                f"WRONG at {c.worst_index}: backprop {c.analytic:.6g}, "
                f"finite differences {c.numeric:.6g}")
            lines.append(f"  {c.name:<{width}}  {str(c.shape):<14} {c.checked:>7}  "
                         f"{c.max_abs_error:>11.3e}  {c.max_rel_error:>11.3e}  "
                         f"{verdict}")
        return "\n".join(lines)

    __repr__ = __str__

    def raise_if_failed(self) -> None:
        """Raises AssertionError with the table when any gradient is wrong."""
        if not self.passed:
            names = ", ".join(c.name for c in self.failures)
            raise AssertionError(f"Wrong gradients for {names}.\n{self}")


def check_gradients(layer_or_model, x, y=None, loss_fn: Callable | str | None = None,
                    eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-4,
                    max_elements: int = 64, training: bool = False,
                    seed: int = 0) -> GradientCheckReport:
    """Compares backprop with finite differences for a layer or a model.

    The objective is a scalar f: with `y`, the loss `loss_fn(y, y_pred)`
    (default: the compiled model's loss; per-sample values are averaged);
    without `y`, `loss_fn(y_pred)` if
    given, else a fixed random projection `sum(r * y_pred)`, which exercises
    every output. The layer's `losses` (regularization) are added. For the
    check the layer computes in float64: its weights are promoted to float64
    copies and its dtype set to "float64", and both are put back afterwards
    (the weights bit for bit). Every element of a weight up to `max_elements`
    is perturbed; larger weights are sampled (seeded).

    Kinks can fail honestly: an input sitting within `eps` of relu's 0 has
    different one-sided slopes. Random layers should run with
    `training=False` (the default), so that f is deterministic.

    Args:
        layer_or_model: A Layer or Model (built or not; it is called on `x`).
        x: Input array (or a list of arrays). Float inputs are checked too.
        y: Optional targets for `loss_fn`.
        loss_fn: A loss name, function or Loss object (`loss_fn(y, y_pred)`),
            or without `y` a function of the outputs returning a scalar.
        eps: Finite-difference step (default 1e-6).
        atol, rtol: Tolerances (defaults 1e-6, 1e-4).
        max_elements: Elements checked per weight (default 64).
        training: The `training` flag of the calls (default False).
        seed: Seed of the projection and the element sample.

    Returns:
        A `GradientCheckReport`.

    Raises:
        ValueError: If `y` is given and no loss is known, or nothing is
            differentiable.

    Example:
        >>> import numpy as np
        >>> from baro.keras import layers
        >>> from baro.testing import check_gradients
        >>> layer = layers.Dense(3, activation="tanh", name="hidden")
        >>> report = check_gradients(layer, np.ones((2, 4), "float32"))
        >>> report.passed, [c.name for c in report.checks]
        (True, ['input', 'hidden/kernel', 'hidden/bias'])
    """
    layer = layer_or_model
    rng = np.random.default_rng(seed)
    several = isinstance(x, (list, tuple))
    inputs = [np.asarray(a) for a in (x if several else [x])]
    loss = _loss(layer, y, loss_fn)
    if not layer.built:  # build it in its own dtype (and change no state)
        with no_grad():
            layer(list(inputs) if several else inputs[0], training=False)
    with _in_float64(layer):
        inputs = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in inputs]
        target = None if y is None else np.asarray(y)
        if target is not None and target.dtype.kind == "f":
            target = target.astype(np.float64)
        objective = _Objective(layer, several, target, loss, training, rng)
        checks = _check_all(layer, objective, inputs, eps, atol, rtol, max_elements,
                            rng)
    return GradientCheckReport(f"{type(layer).__name__} {layer.name!r}", checks,
                               atol, rtol)


def _loss(layer, y, loss_fn):
    if y is None:
        return loss_fn
    if loss_fn is None:
        loss_fn = getattr(layer, "loss", None)
        if loss_fn is None:
            raise ValueError(
                "check_gradients: received y but no loss; pass loss_fn (e.g. "
                "loss_fn='mse') or compile the model with a loss.")
    return losses_module.get(loss_fn)


class _Objective:
    """f(inputs) as a Tensor (for backprop) and as a float (for differences)."""

    def __init__(self, layer, several, target, loss, training, rng) -> None:
        self.layer, self.several, self.target = layer, several, target
        self.loss, self.training, self.rng = loss, training, rng
        self.projection = None

    def tensor(self, tensors: list) -> Tensor:
        out = self.layer(tensors if self.several else tensors[0],
                         training=self.training)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        if self.target is not None:
            value = self.loss(self.target, out)
        elif self.loss is not None:
            value = self.loss(out)
        else:
            if self.projection is None:
                self.projection = [self.rng.standard_normal(o.shape) for o in outs]
            value = sum(ops.sum(o * r) for o, r in zip(outs, self.projection,
                                                       strict=True))
        if value.ndim:  # a per-sample loss function ("mse"): Keras's mean
            value = ops.mean(value)
        for extra in self.layer.losses:
            value = value + extra
        return value

    def value(self, arrays: list) -> float:
        with no_grad():
            return float(self.tensor([Tensor._wrap(a) for a in arrays]).data)


def _check_all(layer, objective, inputs, eps, atol, rtol, max_elements, rng):
    tensors = [Tensor._wrap(a) for a in inputs]
    differentiable = [i for i, a in enumerate(inputs) if a.dtype.kind == "f"]
    for i in differentiable:
        tensors[i].requires_grad = True
    weights = list(layer.trainable_weights)
    sources = [tensors[i] for i in differentiable] + weights
    if not sources:
        raise ValueError(f"check_gradients: {layer.name!r} has no trainable weights "
                         "and no floating-point input to differentiate.")
    grads = gradients([objective.tensor(tensors)], sources)
    checks = []
    for k, source in enumerate(sources):
        analytic = np.zeros(source.shape) if grads[k] is None else \
            np.asarray(grads[k], dtype=np.float64)
        if k < len(differentiable):
            i = differentiable[k]
            name = "input" if len(inputs) == 1 else f"input {i}"
            buffer = inputs[i] = inputs[i].copy()
        else:
            name, buffer = source.path, source.data
        numeric, picked = _numeric(objective, inputs, buffer, eps, max_elements, rng)
        checks.append(_compare(name, source.shape, analytic.reshape(-1)[picked],
                               numeric, picked, atol, rtol))
    return checks


def _numeric(objective, inputs, buffer, eps, max_elements, rng):
    """Central differences of f in the elements `picked` of `buffer` (which
    `objective` reads: an input array or a weight's data), in place."""
    flat = buffer.reshape(-1)  # a view: both are contiguous float64 arrays
    picked = np.arange(flat.size) if flat.size <= max_elements else \
        np.sort(rng.choice(flat.size, max_elements, replace=False))
    numeric = np.empty(len(picked))
    for n, j in enumerate(picked):
        original = flat[j]
        flat[j] = original + eps
        up = objective.value(inputs)
        flat[j] = original - eps
        down = objective.value(inputs)
        flat[j] = original
        numeric[n] = (up - down) / (2 * eps)
    return numeric, picked


def _compare(name, shape, analytic, numeric, picked, atol, rtol) -> GradientCheck:
    error = np.abs(analytic - numeric)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-300)
    worst = int(np.argmax(error))
    return GradientCheck(
        name=name, shape=tuple(shape), checked=len(picked),
        max_abs_error=float(error.max()), max_rel_error=float((error / scale).max()),
        passed=bool(np.all(error <= atol + rtol * np.abs(numeric))),
        worst_index=tuple(int(i) for i in np.unravel_index(picked[worst], shape)),
        analytic=float(analytic[worst]), numeric=float(numeric[worst]))


def _layers(layer) -> Iterator:
    yield layer
    for sub in layer._layers:
        yield from _layers(sub)


@contextmanager
def _in_float64(layer):
    """The layer (and its sub-layers) computing in float64, then restored."""
    dtypes = [(item, item._dtype) for item in _layers(layer)]
    datas = [(w, w.data) for w in layer.weights]
    try:
        for item, dtype in dtypes:
            if np.dtype(dtype).kind == "f":
                item._dtype = "float64"
        for weight, data in datas:
            if data.dtype.kind == "f":
                weight.data = data.astype(np.float64)
        yield
    finally:
        for item, dtype in dtypes:
            item._dtype = dtype
        for weight, data in datas:
            weight.data = data
