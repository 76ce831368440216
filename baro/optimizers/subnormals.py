"""Optimizer state that has decayed into subnormal floats is set to zero.

Why: the slots of a unit whose gradient stays 0 (a dead ReLU, an unused
embedding row) decay geometrically. Adam's `m <- m + 0.1 * (0 - m)` reaches
the subnormal range (|m| < 1.18e-38 in float32) after ~800 steps and then
stays there: for the smallest subnormals `0.1 * m` rounds to 0, so `m` never
reaches zero. x86 CPUs handle subnormal operands in microcode; a pass over a
buffer full of them is ~6x slower, and an MLP epoch after ~700 Adam steps 2-3x
slower (PyTorch on CPU too). TensorFlow and XLA run with the FPU's flush-to-zero
flags set; NumPy cannot set them, so every `FLUSH_EVERY` steps the optimizer
zeroes its subnormal slot entries itself: one pass over each slot buffer,
amortized to well under 1% of a step.

A slot is flushed only where that changes the updates by float rounding at
most, so the flush is a speed fix, not a change of algorithm (each optimizer's
`_subnormal_slots` names its slots):

- a momentum added to the weights (SGD, RMSprop) or a mean only used squared
  (centered RMSprop): zeroing it moves a weight by less than `tiny`, i.e. not
  at all unless the weight itself is below ~1e-31;
- a first moment divided by `sqrt(v) + epsilon` (Adam, AdamW, Adamax, Nadam):
  the update moves by at most `lr * tiny / epsilon` (~1e-34 at Keras's
  defaults);
- a second moment next to epsilon in a denominator (Adam's `v` and `v_hat`,
  Adamax's `u`, RMSprop's and Adadelta's averages): `sqrt(v) <= sqrt(tiny) ~
  1.1e-19` is below half a float32 ulp of any `epsilon >= SAFE_EPSILON`, so the
  denominator rounds to the same value whether `v` is subnormal or 0.

Optimizers with epsilon in their denominators flush only when `epsilon >=
SAFE_EPSILON`: with a smaller one a zeroed `v` could turn `m / sqrt(v)` into
`m / 0`.

Not flushed: Lion's momentum (its update is `sign(m)`: a zeroed `m` would stop
a weight that Lion keeps moving by `lr`), accumulators that only grow
(Adagrad), scalars (Nadam's `u_product`), and float16 state, whose smallest
normal number (6.1e-5) is a value optimizer state legitimately holds; NumPy
computes float16 through float32, where such values are normal and cost nothing.
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module

FLUSH_EVERY = 256
SAFE_EPSILON = 1e-10


def flush_subnormals(array) -> None:
    """Sets the entries of `array` below the smallest normal float to 0, in place.

    Only float32 and float64 arrays are touched (see the module docstring).

    Args:
        array: A NumPy or CuPy array, written in place.

    Example:
        >>> import numpy as np
        >>> m = np.array([1e-3, 1e-40, -1e-45, 0.0], dtype="float32")
        >>> flush_subnormals(m)
        >>> m
        array([0.001, 0.   , 0.   , 0.   ], dtype=float32)
    """
    dtype = array.dtype
    if dtype.kind != "f" or dtype.itemsize < 4:
        return
    xp = get_array_module(array)
    xp.copyto(array, 0, where=xp.abs(array) < xp.finfo(dtype).tiny)


def epsilon_hides_subnormals(epsilon: float) -> bool:
    """Whether a denominator `sqrt(v) + epsilon` (or `sqrt(v + epsilon)`) rounds
    to the same float32 value for every subnormal `v` as for `v = 0`."""
    return epsilon >= SAFE_EPSILON
