"""The reverse-mode engine: walks recorded Function nodes from a target to its leaves.

The walk is iterative (a heap ordered by node generation), so graph depth is bounded
only by memory, never by Python's recursion limit. See docs/autodiff.md.
"""

from __future__ import annotations

import heapq

from baro.backend.arrays import get_array_module
from baro.core.tensor import Tensor

_RELEASED = "released"


def unbroadcast(grad, shape: tuple[int, ...]):
    """Sums `grad` down to `shape`, undoing NumPy broadcasting.

    Leading axes that broadcasting added are summed away; axes where `shape` has
    size 1 are summed with keepdims. This is the only place gradients are reduced
    for broadcasting: ops return gradients in the output's broadcast shape.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if grad.shape != shape:
        grad = grad.reshape(shape)
    return grad


def _seed(tensor: Tensor, grad):
    data = tensor.data
    if grad is None:
        if data.size != 1:
            raise ValueError(
                f"backward() without a seed gradient needs a scalar, but this tensor "
                f"has shape {data.shape}. Reduce it first (e.g. loss.mean()) or pass "
                f"grad= with shape {data.shape}."
            )
        return get_array_module(data).ones_like(data)
    seed = grad.data if isinstance(grad, Tensor) else grad
    xp = get_array_module(data)
    seed = xp.asarray(seed, dtype=data.dtype)
    if seed.shape != data.shape:
        raise ValueError(
            f"backward(): the seed gradient has shape {seed.shape}, the tensor has "
            f"shape {data.shape}. They must match."
        )
    return seed


def run_backward(roots, sources=None, retain_graph: bool = False):
    """Propagates seed gradients from `roots` back through the recorded graph.

    Args:
        roots: List of `(tensor, seed_array)` pairs to start from.
        sources: None to accumulate into every leaf's `.grad` (Tensor.backward);
            otherwise a list of tensors whose gradients are returned instead and
            no `.grad` is touched (GradientTape.gradient).
        retain_graph: Keep saved buffers and links so backward can run again.

    Returns:
        With `sources`, a list with one array (or None if unconnected) per source.
    """
    # Heap entries are (-generation, -sequence, node): deepest node first, ties
    # to the latest recorded, never comparing nodes. Not id(node): memory
    # addresses would order the sums at a fan-out differently from run to run.
    # A node is queued exactly when its `grads` list is created, so
    # `grads is not None` doubles as the "queued" mark.
    heap: list = []
    found: dict[int, object] = {}
    leaf_sources: set[int] = set()
    # Non-leaf sources are caught when their node is popped: (node id, index).
    watched_outputs: dict[tuple[int, int], int] = {}
    for s in sources or ():
        if s.creator is None:
            leaf_sources.add(id(s))
        else:
            watched_outputs[(id(s.creator), s._index)] = id(s)

    def deliver(x: Tensor, gx) -> None:
        node = x.creator
        if node is None:
            if sources is None:
                # Leaf gradients are handed to users: never a read-only view.
                if not gx.flags.writeable:
                    gx = gx.copy()
                x._grad = gx if x._grad is None else x._grad + gx
            elif id(x) in leaf_sources:
                key = id(x)
                found[key] = gx if key not in found else found[key] + gx
            return
        grads = node.grads
        if grads is None:
            if node.inputs is _RELEASED:
                raise RuntimeError(
                    "backward: this graph was already released by an earlier "
                    "backward pass. Pass retain_graph=True to the first backward, "
                    "or use GradientTape(persistent=True)."
                )
            grads = node.grads = [None] * node.n_outputs
            heapq.heappush(heap, (-node.generation, -node.sequence, node))
        old = grads[x._index]
        grads[x._index] = gx if old is None else old + gx

    try:
        for tensor, seed in roots:
            deliver(tensor, seed)
        while heap:
            node = heapq.heappop(heap)[2]
            grads_out = node.grads
            node.grads = None
            if watched_outputs:
                for i, g in enumerate(grads_out):
                    key = watched_outputs.get((id(node), i))
                    if key is not None and g is not None:
                        found[key] = g
            _step(node, grads_out, deliver, retain_graph)
    except BaseException:
        # Leave no half-accumulated gradients on nodes a retained graph may reuse.
        for item in heap:
            item[2].grads = None
        raise
    if sources is None:
        return None
    return [found.get(id(s)) for s in sources]


def _step(node, grads_out, deliver, retain_graph: bool) -> None:
    """Runs one node's backward and hands each input its gradient."""
    if node.n_outputs == 1:
        grads_in = node.backward(grads_out[0])
    else:
        grads_in = node.backward(*grads_out)
    inputs = node.inputs
    if type(grads_in) is not tuple:
        grads_in = (grads_in,)
    if len(grads_in) != len(inputs):
        raise RuntimeError(
            f"{node.name}.backward returned {len(grads_in)} gradient(s) for "
            f"{len(inputs)} input(s); it must return one per input (None allowed)."
        )
    if not retain_graph:
        node.saved = None
        node.inputs = _RELEASED
    for x, gx in zip(inputs, grads_in, strict=True):
        if gx is None or not x.requires_grad:
            continue
        data = x.data
        if gx.shape != data.shape:
            gx = unbroadcast(gx, data.shape)
        if gx.dtype != data.dtype:
            gx = gx.astype(data.dtype)
        deliver(x, gx)


def backward(tensor: Tensor, grad=None, retain_graph: bool = False) -> None:
    """`tensor.backward()`: accumulates d tensor / d leaf into every leaf's `.grad`."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require gradients, so nothing was "
            "recorded. Create leaves with requires_grad=True or use baro.Variable."
        )
    run_backward([(tensor, _seed(tensor, grad))], retain_graph=retain_graph)


def gradients(targets, sources, seeds=None, retain_graph: bool = False) -> list:
    """Gradients of the sum of `targets` with respect to each of `sources`.

    Non-scalar targets are seeded with ones, which is the gradient of their sum,
    as `tf.GradientTape.gradient` does.
    """
    roots = []
    for i, t in enumerate(targets):
        if not isinstance(t, Tensor):
            continue
        seed = None if seeds is None else seeds[i]
        if seed is None:
            seed = get_array_module(t.data).ones_like(t.data)
        else:
            seed = _seed(t, seed)
        if t.requires_grad:
            roots.append((t, seed))
    return run_backward(roots, sources=sources, retain_graph=retain_graph)
