"""Shape ops: reshape, transpose, expand/squeeze, broadcast, join, split, tile, pad."""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import get_array_module
from baro.core.function import Function
from baro.ops.convert import as_tensor, normalize_axis


class Reshape(Function):
    """y = x viewed with a new shape;  dx = g reshaped back."""

    def __init__(self, shape) -> None:
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


class Transpose(Function):
    """y = x with axes permuted;  dx = g with the inverse permutation."""

    def __init__(self, axes) -> None:
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, g):
        return g.transpose(np.argsort(self.axes))


class BroadcastTo(Function):
    """y = x broadcast to a shape;  dx = g (the engine sums it back)."""

    def __init__(self, shape) -> None:
        self.shape = shape

    def forward(self, x):
        return get_array_module(x).broadcast_to(x, self.shape)

    def backward(self, g):
        return g


class Concatenate(Function):
    """y = concatenate(xs, axis);  dx_i = the slice of g that x_i filled."""

    hint = "All inputs must have the same shape except along the join axis."

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return get_array_module(xs[0]).concatenate(xs, axis=self.axis)

    def backward(self, g):
        xp = get_array_module(g)
        cuts = np.cumsum(self.sizes)[:-1]
        return tuple(xp.split(g, cuts, axis=self.axis))


class Stack(Function):
    """y = stack(xs, axis);  dx_i = g taken at index i of the new axis."""

    hint = "All inputs must have exactly the same shape."

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return get_array_module(xs[0]).stack(xs, axis=self.axis)

    def backward(self, g):
        xp = get_array_module(g)
        return tuple(xp.moveaxis(g, self.axis, 0))


class Split(Function):
    """ys = split(x, cuts, axis);  dx = the ys' gradients joined (zeros if unused)."""

    def __init__(self, cuts, axis: int) -> None:
        self.cuts = cuts
        self.axis = axis

    def forward(self, x):
        xp = get_array_module(x)
        parts = xp.split(x, self.cuts, axis=self.axis)
        self.part_shapes = [p.shape for p in parts]
        self.dtype = x.dtype
        return tuple(parts)

    def backward(self, *gs):
        xp = get_array_module(next(g for g in gs if g is not None))
        full = [g if g is not None else xp.zeros(s, self.dtype)
                for g, s in zip(gs, self.part_shapes, strict=True)]
        return xp.concatenate(full, axis=self.axis)


class Tile(Function):
    """y = tile(x, reps);  dx = g folded into (reps_i, n_i) blocks and summed."""

    def __init__(self, reps) -> None:
        self.reps = reps

    def forward(self, x):
        self.in_shape = x.shape
        return get_array_module(x).tile(x, self.reps)

    def backward(self, g):
        # After padding both to one length, output axis i is reps_i blocks of n_i.
        ndim = g.ndim
        shape = (1,) * (ndim - len(self.in_shape)) + tuple(self.in_shape)
        reps = (1,) * (ndim - len(self.reps)) + tuple(self.reps)
        folded = g.reshape([d for pair in zip(reps, shape, strict=True) for d in pair])
        return folded.sum(axis=tuple(range(0, 2 * ndim, 2))).reshape(self.in_shape)


class Repeat(Function):
    """y = repeat(x, repeats, axis);  dx = g summed over each run of copies."""

    def __init__(self, repeats, axis: int) -> None:
        self.repeats = repeats
        self.axis = axis

    def forward(self, x):
        self.n = x.shape[self.axis]
        return get_array_module(x).repeat(x, self.repeats, axis=self.axis)

    def backward(self, g):
        xp = get_array_module(g)
        axis = self.axis
        if np.ndim(self.repeats) == 0:
            r = int(self.repeats)
            shape = g.shape[:axis] + (self.n, r) + g.shape[axis + 1:]
            return g.reshape(shape).sum(axis=axis + 1)
        counts = np.broadcast_to(np.asarray(self.repeats), (self.n,))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        grad = xp.zeros(g.shape[:axis] + (self.n,) + g.shape[axis + 1:], g.dtype)
        used = counts > 0
        if used.any():
            # Starts of the non-empty runs increase strictly, so reduceat sums
            # exactly each run (the last one up to the end); empty runs stay 0.
            summed = xp.add.reduceat(g, xp.asarray(starts[used]), axis=axis)
            grad[(slice(None),) * axis + (xp.asarray(used),)] = summed
        return grad


class Pad(Function):
    """y = pad(x, widths, mode);  dx = g at the positions each x element went to.

    `constant` padding slices g; reflect/symmetric/edge modes, where one element
    lands in several places, pad an index map and sum g by index (bincount).
    """

    def __init__(self, pad_width, mode: str, constant_values) -> None:
        self.pad_width = pad_width
        self.mode = mode
        self.constant_values = constant_values

    def forward(self, x):
        self.in_shape = x.shape
        xp = get_array_module(x)
        if x.ndim == 0:
            # Nothing to pad (NumPy's pad rejects 0-d arrays; TF returns x).
            return x.copy()
        if self.mode == "constant":
            return xp.pad(x, self.pad_width, mode="constant",
                          constant_values=self.constant_values)
        return xp.pad(x, self.pad_width, mode=self.mode)

    def backward(self, g):
        xp = get_array_module(g)
        if not self.in_shape:
            return g
        if self.mode == "constant":
            index = tuple(slice(lo, lo + n) for (lo, _), n in
                          zip(self.pad_width, self.in_shape, strict=True))
            return g[index]
        size = int(np.prod(self.in_shape))
        where = np.pad(np.arange(size).reshape(self.in_shape), self.pad_width,
                       mode=self.mode)
        summed = xp.bincount(xp.asarray(where.ravel()), weights=g.ravel(),
                             minlength=size)
        return summed.reshape(self.in_shape).astype(g.dtype, copy=False)


def reshape(x, shape):
    """Gives x a new shape with the same number of elements; one entry may be -1.

    Raises:
        ValueError: If the sizes do not match.

    Example:
        >>> import baro
        >>> baro.reshape(baro.ones((2, 3)), (3, -1)).shape
        (3, 2)
    """
    x = as_tensor(x)
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    known = int(np.prod([s for s in shape if s != -1]))
    ok = shape.count(-1) <= 1 and (known == x.size if -1 not in shape
                                   else known > 0 and x.size % known == 0)
    if not ok:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} "
            f"elements) into shape {shape}. The element counts must match "
            "(at most one dimension may be -1)."
        )
    return Reshape(shape).apply(x)


def transpose(x, axes=None):
    """Permutes axes (reverses them when `axes` is None)."""
    x = as_tensor(x)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    axes = normalize_axis(axes, x.ndim, "transpose")
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(
            f"transpose: axes {axes} are not a permutation of 0..{x.ndim - 1} "
            f"for a tensor of shape {x.shape}."
        )
    return Transpose(axes).apply(x)


def expand_dims(x, axis):
    """Inserts a size-1 axis at `axis` (may be negative, or a tuple)."""
    x = as_tensor(x)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out_ndim = x.ndim + len(axes)
    axes = normalize_axis(axes, out_ndim, "expand_dims")
    if len(set(axes)) != len(axes):
        raise ValueError(f"expand_dims: repeated axis in {axis}.")
    shape = list(x.shape)
    for a in sorted(axes):
        shape.insert(a, 1)
    return Reshape(tuple(shape)).apply(x)


def squeeze(x, axis=None):
    """Removes size-1 axes (all of them when `axis` is None).

    Raises:
        ValueError: If a named axis does not have size 1.
    """
    x = as_tensor(x)
    if x.ndim == 0 and axis is not None:
        raise ValueError(f"squeeze: a 0-d tensor has no axis {axis} to squeeze.")
    axes = normalize_axis(axis, x.ndim, "squeeze")
    if axes is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(
                f"squeeze: axis {a} of shape {x.shape} has size {x.shape[a]}, not 1."
            )
    shape = tuple(n for i, n in enumerate(x.shape) if i not in axes)
    return Reshape(shape).apply(x)


def broadcast_to(x, shape):
    """Broadcasts x to `shape` (NumPy rules)."""
    x = as_tensor(x)
    shape = tuple(int(s) for s in shape)
    try:
        ok = np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        # One-way: (3,) cannot become (1,), though the two broadcast together.
        raise ValueError(
            f"broadcast_to: cannot broadcast shape {x.shape} to {shape}."
        )
    return BroadcastTo(shape).apply(x)


def concatenate(xs, axis: int = 0):
    """Joins tensors along an existing axis (`tf.concat`, `keras.ops.concatenate`)."""
    xs = _same_dtype([as_tensor(x) for x in xs], "concatenate")
    (axis,) = normalize_axis(axis, xs[0].ndim, "concatenate")
    if len(xs) == 1:
        return xs[0]
    return Concatenate(axis).apply(*xs)


def stack(xs, axis: int = 0):
    """Joins same-shape tensors along a new axis."""
    xs = _same_dtype([as_tensor(x) for x in xs], "stack")
    (axis,) = normalize_axis(axis, xs[0].ndim + 1, "stack")
    return Stack(axis).apply(*xs)


def split(x, indices_or_sections, axis: int = 0) -> list:
    """Splits x into equal sections (an int) or at the given indices (a list).

    Raises:
        ValueError: If an int does not divide the axis evenly.
    """
    x = as_tensor(x)
    (axis,) = normalize_axis(axis, x.ndim, "split")
    n = x.shape[axis]
    if np.ndim(indices_or_sections) == 0:
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise ValueError(
                f"split: axis {axis} has size {n}, which {sections} sections "
                "cannot divide evenly. Pass a list of split indices instead."
            )
        cuts = [n // sections * i for i in range(1, sections)]
    else:
        cuts = [int(i) for i in indices_or_sections]
    return list(Split(cuts, axis).apply(x))


def tile(x, repeats):
    """Repeats the whole tensor `repeats[i]` times along axis i."""
    x = as_tensor(x)
    reps = (int(repeats),) if np.ndim(repeats) == 0 else tuple(int(r) for r in repeats)
    return Tile(reps).apply(x)


def repeat(x, repeats, axis=None):
    """Repeats each element `repeats` times along `axis` (None flattens first)."""
    x = as_tensor(x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    (axis,) = normalize_axis(axis, x.ndim, "repeat")
    if hasattr(repeats, "data"):
        repeats = repeats.data
    if np.ndim(repeats) and np.size(repeats) not in (1, x.shape[axis]):
        raise ValueError(
            f"repeat: repeats has {np.size(repeats)} entries, axis {axis} has "
            f"size {x.shape[axis]}."
        )
    return Repeat(repeats, axis).apply(x)


def pad(x, pad_width, mode: str = "constant", constant_values=0):
    """Pads x; `pad_width` is `[(before, after), ...]` per axis (or one pair/int).

    Modes: constant, reflect, symmetric, edge.
    """
    x = as_tensor(x)
    modes = ("constant", "reflect", "symmetric", "edge")
    if mode not in modes:
        raise ValueError(f"pad: mode must be one of {modes}, received {mode!r}.")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    if (widths < 0).any():
        raise ValueError(f"pad: widths must be >= 0, received {pad_width}.")
    widths = tuple((int(a), int(b)) for a, b in widths)
    return Pad(widths, mode, constant_values).apply(x)


def _same_dtype(xs, op):
    if not xs:
        raise ValueError(f"{op}: needs at least one tensor.")
    dtypes = {x.data.dtype for x in xs}
    if len(dtypes) > 1:
        # Keras promotion: ints meeting floats take the widest float, never float64
        # unless a float64 is already there.
        floats = [d for d in dtypes if d.kind == "f"]
        target = max(floats, key=lambda d: d.itemsize) if floats else \
            np.result_type(*dtypes)
        from baro.ops.math import cast

        xs = [cast(x, target) for x in xs]
    return xs
