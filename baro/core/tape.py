"""TF2-style `GradientTape` and JAX-style `grad` / `value_and_grad`."""

from __future__ import annotations

import functools

from baro.backend.config import is_float_dtype
from baro.core import grad_mode
from baro.core.engine import gradients
from baro.core.tensor import Tensor


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack(structure, leaves: list):
    """Rebuilds `structure` with the next values from `leaves` (consumed in order)."""
    if isinstance(structure, dict):
        return {key: _pack(structure[key], leaves) for key in structure}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_pack(item, leaves) for item in structure)
    return leaves.pop(0)


class GradientTape:
    """Records operations so gradients can be taken afterwards (`tf.GradientTape`).

    Trainable Variables are watched automatically; other tensors need `watch`.
    Inside the `with` block graph recording is on, even within `no_grad`.

    Args:
        persistent: Allow several `gradient` calls (the graph is kept until the
            tape is dropped). A non-persistent tape releases it after one call.
        watch_accessed_variables: Kept for TF compatibility; trainable Variables
            always require gradients in baro.

    Example:
        >>> import baro
        >>> x = baro.constant(3.0)
        >>> with baro.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> float(tape.gradient(y, x))
        6.0
    """

    def __init__(self, persistent: bool = False,
                 watch_accessed_variables: bool = True) -> None:
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._watched: list[Tensor] = []
        self._used = False
        self._previous_mode = True

    def __enter__(self) -> GradientTape:
        self._previous_mode = grad_mode.mode.enabled
        grad_mode.mode.enabled = True
        return self

    def __exit__(self, *exc) -> None:
        grad_mode.mode.enabled = self._previous_mode

    def watch(self, tensor) -> None:
        """Makes the tape record operations on `tensor` (or a list/dict of them).

        Raises:
            TypeError: For non-float tensors, which cannot have gradients.
        """
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"GradientTape.watch expects Tensors or Variables, received "
                    f"{type(t).__name__}. Wrap arrays with baro.constant(...) first."
                )
            if not is_float_dtype(t.dtype):
                raise TypeError(
                    f"GradientTape.watch: a tensor of dtype {t.dtype} cannot have a "
                    "gradient; cast it to a float dtype."
                )
            if not t.requires_grad:
                t.requires_grad = True
                self._watched.append(t)

    def stop_recording(self):
        """Context manager that pauses recording (like `tf.GradientTape`)."""
        return grad_mode.no_grad()

    def reset(self) -> None:
        """Forgets what was watched so the tape can be reused."""
        self._release()
        self._used = False

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients: str = "none"):
        """Gradient of `target` (summed if not scalar) with respect to `sources`.

        Args:
            target: A Tensor or list of Tensors (their sum is differentiated).
            sources: A Tensor, or a list/tuple/dict nest of Tensors.
            output_gradients: Optional seed gradients, one per target.
            unconnected_gradients: `"none"` (default) returns None for sources the
                target does not depend on; `"zero"` returns zeros.

        Returns:
            Tensors in the structure of `sources`.

        Raises:
            RuntimeError: On a second call to a non-persistent tape.
        """
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can compute gradients only once. "
                "Use GradientTape(persistent=True) to call gradient() several times."
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                "unconnected_gradients must be 'none' or 'zero', received "
                f"{unconnected_gradients!r}."
            )
        targets = _flatten(target)
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise TypeError(
                    f"GradientTape.gradient: sources must be Tensors or Variables, "
                    f"received {type(s).__name__}."
                )
        seeds = None if output_gradients is None else _flatten(output_gradients)
        arrays = gradients(targets, flat_sources, seeds=seeds,
                           retain_graph=self.persistent)
        self._used = True
        if not self.persistent:
            self._release()
        results = []
        for s, g in zip(flat_sources, arrays, strict=True):
            if g is None and unconnected_gradients == "zero":
                g = s.data * 0
            results.append(None if g is None else Tensor._wrap(g))
        if isinstance(sources, Tensor):
            return results[0]
        return _pack(sources, results)

    def _release(self) -> None:
        for t in self._watched:
            t.requires_grad = False
        self._watched = []


def _select(args, argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def value_and_grad(fun, argnums=0, has_aux: bool = False):
    """Returns a function computing `fun(*args)` and its gradient (JAX-style).

    Args:
        fun: A function of tensors/arrays returning a scalar Tensor (or
            `(scalar, aux)` when `has_aux`).
        argnums: Which positional argument(s) to differentiate.
        has_aux: Whether `fun` returns auxiliary data beside the scalar.

    Returns:
        A function returning `(value, grad)`, where `grad` is a Tensor, or a tuple
        of Tensors when `argnums` is a sequence. With `has_aux`, value is
        `(scalar, aux)`.

    Example:
        >>> import baro
        >>> f = baro.value_and_grad(lambda x: (x ** 3).sum())
        >>> value, g = f(baro.constant([1.0, 2.0]))
        >>> float(value), g.numpy().tolist()
        (9.0, [3.0, 12.0])
    """

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        positions = _select(args, argnums)
        args = list(args)
        watched = []
        for i in positions:
            arg = args[i]
            t = Tensor._wrap(arg.data if isinstance(arg, Tensor) else Tensor(arg).data)
            if not is_float_dtype(t.dtype):
                raise TypeError(
                    f"grad: argument {i} has dtype {t.dtype}; only float inputs "
                    "can be differentiated."
                )
            t.requires_grad = True
            args[i] = t
            watched.append(t)
        with grad_mode.enable_grad():
            out = fun(*args, **kwargs)
        value, aux = (out[0], out[1]) if has_aux else (out, None)
        if not isinstance(value, Tensor) or value.size != 1:
            shape = getattr(value, "shape", type(value).__name__)
            raise ValueError(
                f"grad: the function must return a scalar Tensor, it returned "
                f"{shape}. Reduce it (e.g. .sum() or .mean()) first."
            )
        arrays = gradients([value], watched)
        grads = [Tensor._wrap(g if g is not None else t.data * 0)
                 for t, g in zip(watched, arrays, strict=True)]
        grad = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = value.detach()
        return ((value, aux) if has_aux else value), grad

    return wrapped


def grad(fun, argnums=0, has_aux: bool = False):
    """Returns a function computing the gradient of scalar `fun` (JAX-style).

    Example:
        >>> import baro
        >>> df = baro.grad(lambda x: (x * x).sum())
        >>> df(baro.constant([1.0, -2.0])).numpy().tolist()
        [2.0, -4.0]
    """
    vg = value_and_grad(fun, argnums=argnums, has_aux=has_aux)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapped
