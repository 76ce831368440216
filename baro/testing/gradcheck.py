"""Finite-difference gradient checks in float64.

Central differences: d f / d x ~ (f(x + eps) - f(x - eps)) / (2 eps), error O(eps^2).
Tiny inputs are checked on the full Jacobian (every output against every input
element); larger ones along random directions (Chainer's `check_backward`):
the analytic r . J v must match the numeric directional derivative.
"""

from __future__ import annotations

import numpy as np

from baro.core.engine import gradients
from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor


def _outputs(f, tensors) -> list[Tensor]:
    out = f(*tensors)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    for y in outs:
        if y.data.dtype != np.float64:
            raise AssertionError(
                f"gradcheck: f returned dtype {y.data.dtype} for float64 inputs; "
                "the op must preserve float64 (a stray cast loses precision)."
            )
    return outs


def _prepare(inputs):
    arrays = []
    for x in inputs:
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        if data.dtype.kind == "f":
            data = data.astype(np.float64)
        arrays.append(data)
    return arrays


def gradcheck(f, *inputs, eps: float = 1e-6, atol: float = 1e-6,
              rtol: float = 1e-5, seed: int = 0, full_jacobian_limit: int = 512,
              directions: int = 3) -> None:
    """Checks `f`'s backward against central finite differences in float64.

    Args:
        f: Function of Tensors returning a Tensor (or a list/tuple of Tensors).
        *inputs: Arrays or Tensors. Float ones are cast to float64 and checked;
            integer ones (indices, labels) are passed through unchanged.
        eps: Finite-difference step.
        atol, rtol: Tolerances of the comparison.
        seed: Seed of the random cotangents and directions.
        full_jacobian_limit: Check the full Jacobian when inputs x outputs
            elements do not exceed this; otherwise use random directions.
        directions: Number of random directions in that mode.

    Raises:
        AssertionError: With the input index, shapes and the largest mismatch.

    Example:
        >>> import baro
        >>> from baro.testing import gradcheck
        >>> gradcheck(lambda x: (x * x).sum(), [1.0, 2.0])
    """
    rng = np.random.default_rng(seed)
    arrays = _prepare(inputs)
    wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    if not wrt:
        raise ValueError("gradcheck: no floating-point input to differentiate.")

    def evaluate(values):
        with no_grad():
            outs = _outputs(f, [Tensor._wrap(v) for v in values])
            return [y.data.copy() for y in outs]

    base = evaluate(arrays)
    n_in = sum(arrays[i].size for i in wrt)
    n_out = sum(y.size for y in base)
    if n_in * n_out <= full_jacobian_limit:
        _check_full(f, arrays, wrt, base, eps, atol, rtol, evaluate)
    else:
        for _ in range(directions):
            _check_direction(f, arrays, wrt, base, eps, atol, rtol, evaluate, rng)


def analytic_grad(f, x, seed=None) -> np.ndarray:
    """d sum(seed * f(x)) / dx in float64, by baro's backward (seed: ones if None).

    Example:
        >>> from baro.testing import analytic_grad
        >>> analytic_grad(lambda t: t * t, [1.0, 3.0]).tolist()
        [2.0, 6.0]
    """
    t = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    y = f(t)
    y.backward(np.ones(y.shape) if seed is None else np.asarray(seed, np.float64))
    return t.grad.numpy()


def _analytic(f, arrays, wrt, seeds):
    tensors = [Tensor._wrap(a) for a in arrays]
    for i in wrt:
        tensors[i].requires_grad = True
    outs = _outputs(f, tensors)
    grads = gradients(outs, [tensors[i] for i in wrt], seeds=seeds)
    result = []
    for i, g in zip(wrt, grads, strict=True):
        if g is None:
            g = np.zeros_like(arrays[i])
        if g.shape != arrays[i].shape:
            raise AssertionError(
                f"gradcheck: gradient of input {i} has shape {g.shape}, the input "
                f"has shape {arrays[i].shape}."
            )
        result.append(np.asarray(g, dtype=np.float64))
    return result


def _check_full(f, arrays, wrt, base, eps, atol, rtol, evaluate):
    n_out = sum(y.size for y in base)
    # Analytic Jacobian: one backward pass per output element (a row each).
    analytic = {i: np.empty((n_out, arrays[i].size)) for i in wrt}
    row = 0
    for k, out in enumerate(base):
        for flat_index in range(out.size):
            seeds = [np.zeros_like(y) for y in base]
            seeds[k].reshape(-1)[flat_index] = 1.0
            for g, i in zip(_analytic(f, arrays, wrt, seeds), wrt, strict=True):
                analytic[i][row] = g.reshape(-1)
            row += 1
    # Numeric Jacobian: two forward passes per input element (a column each).
    for i in wrt:
        numeric = np.empty_like(analytic[i])
        for j in range(arrays[i].size):
            plus = [a.copy() if n == i else a for n, a in enumerate(arrays)]
            minus = [a.copy() if n == i else a for n, a in enumerate(arrays)]
            plus[i].reshape(-1)[j] += eps
            minus[i].reshape(-1)[j] -= eps
            up = np.concatenate([y.reshape(-1) for y in evaluate(plus)])
            down = np.concatenate([y.reshape(-1) for y in evaluate(minus)])
            numeric[:, j] = (up - down) / (2 * eps)
        _compare(analytic[i], numeric, atol, rtol,
                 f"input {i} (shape {arrays[i].shape}), full Jacobian "
                 f"(rows: {n_out} output elements)")


def _check_direction(f, arrays, wrt, base, eps, atol, rtol, evaluate, rng):
    seeds = [rng.standard_normal(y.shape) for y in base]
    analytic = _analytic(f, arrays, wrt, seeds)
    direction = {i: rng.standard_normal(arrays[i].shape) for i in wrt}
    plus = [a + eps * direction[n] if n in direction else a
            for n, a in enumerate(arrays)]
    minus = [a - eps * direction[n] if n in direction else a
             for n, a in enumerate(arrays)]
    numeric = (_project(evaluate(plus), seeds) - _project(evaluate(minus), seeds)) \
        / (2 * eps)
    projected = sum(float((g * direction[i]).sum())
                    for g, i in zip(analytic, wrt, strict=True))
    _compare(np.array(projected), np.array(numeric), atol, rtol,
             f"random direction over inputs {wrt} "
             f"(shapes {[arrays[i].shape for i in wrt]})")


def _project(outputs, seeds) -> float:
    return sum(float((y * s).sum()) for y, s in zip(outputs, seeds, strict=True))


def _compare(analytic, numeric, atol, rtol, where):
    if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
        diff = np.abs(analytic - numeric)
        worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.ndim else ()
        raise AssertionError(
            f"gradcheck failed for {where}: analytic {np.asarray(analytic)[worst]!r} "
            f"vs numeric {np.asarray(numeric)[worst]!r} at index {worst} "
            f"(max abs diff {diff.max():.3e}, atol {atol}, rtol {rtol})."
        )
