"""Slot entries that decayed into subnormal floats are zeroed every 256 steps,
without changing any update beyond float rounding (baro/optimizers/subnormals.py).
Speed is measured in benchmarks/subnormal_moments.py, never here."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

import baro
from baro import optimizers
from baro.optimizers.subnormals import FLUSH_EVERY, flush_subnormals

TINY32 = np.finfo(np.float32).tiny
SUB = np.float32(3e-45)  # 2 * 2**-149: 0.1 * SUB rounds to 0, so decay keeps it
SHAPES = [(3, 4), (4,), (2, 2)]

# name -> (factory, the slot names whose subnormals are flushed)
CASES = {
    "adam": (lambda: optimizers.Adam(0.01), {"momentum", "velocity"}),
    "adam_amsgrad": (lambda: optimizers.Adam(0.01, amsgrad=True),
                     {"momentum", "velocity", "velocity_hat"}),
    "adamw": (lambda: optimizers.AdamW(0.01), {"momentum", "velocity"}),
    "adamax": (lambda: optimizers.Adamax(0.01), {"momentum", "norm"}),
    "nadam": (lambda: optimizers.Nadam(0.01), {"momentum", "velocity"}),
    "rmsprop": (lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                {"velocity", "momentum", "average_gradient"}),
    "adadelta": (lambda: optimizers.Adadelta(1.0),
                 {"accumulated_grad", "accumulated_delta_var"}),
    "sgd_momentum": (lambda: optimizers.SGD(0.1, momentum=0.9), {"momentum"}),
    # Lion's update is sign(m): zeroing m would stop a weight it moves by lr.
    "lion": (lambda: optimizers.Lion(0.001), set()),
    # Accumulators that only grow never decay into subnormals.
    "adagrad": (lambda: optimizers.Adagrad(0.1), set()),
    # A zeroed v next to an epsilon this small could make m / sqrt(v) blow up.
    "adam_tiny_epsilon": (lambda: optimizers.Adam(0.01, epsilon=1e-12), set()),
    "rmsprop_tiny_epsilon": (
        lambda: optimizers.RMSprop(0.01, momentum=0.5, epsilon=1e-12),
        {"momentum"}),
}


def slot_kind(slot) -> str:
    return slot.name.split("_", 1)[1]  # "w0_velocity_hat" -> "velocity_hat"


def test_flush_subnormals_zeroes_only_subnormal_entries():
    for dtype in ("float32", "float64"):
        tiny = np.finfo(dtype).tiny
        x = np.array([1.0, tiny, -tiny, tiny / 2, -tiny / 4, 0.0, np.inf, np.nan],
                     dtype)
        flush_subnormals(x)
        np.testing.assert_array_equal(
            x, np.array([1.0, tiny, -tiny, 0, 0, 0, np.inf, np.nan], dtype))
    # float16's smallest normal (6.1e-5) is an ordinary value: left alone.
    half = np.array([1e-5, 1e-7], "float16")
    flush_subnormals(half)
    assert np.all(half != 0)


def make_state(name: str, flat: bool):
    """An optimizer one step in, every slot half subnormal, at iteration 254."""
    variables = [baro.Variable(np.full(s, 0.5, "float32"), name=f"w{i}")
                 for i, s in enumerate(SHAPES)]
    optimizer = CASES[name][0]()
    if not flat:
        optimizer._flat_allowed = lambda: False
    zeros = [np.zeros(s, "float32") for s in SHAPES]
    optimizer.apply(zeros, variables)
    assert (optimizer._flat is not None) == flat
    for slots in optimizer._slot_lists:
        for slot in slots[:len(variables)]:
            flat_view = slot.data.reshape(-1)  # a view: writes the slot
            flat_view[0::2] = 1e-3
            flat_view[1::2] = SUB  # positive: second moments go under a sqrt
    optimizer.iterations.assign(FLUSH_EVERY - 2)
    return optimizer, variables, zeros


def subnormal_counts(optimizer, count: int) -> dict:
    found = {}
    for slots in optimizer._slot_lists:
        for slot in slots[:count]:
            data = slot.numpy()
            tiny = np.abs(data)[data != 0].min(initial=np.inf) < TINY32
            found[slot_kind(slot)] = found.get(slot_kind(slot), 0) + int(tiny)
    return found


@pytest.mark.parametrize("path", ["flat", "per_variable", "traced"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_subnormal_slots_are_zeroed_at_every_256th_step(name, path):
    optimizer, variables, zeros = make_state(name, flat=path != "per_variable")
    apply = optimizer._apply_traced if path == "traced" else optimizer.apply
    expected = CASES[name][1]
    apply(zeros, variables)  # iteration 255: nothing flushed yet
    before = subnormal_counts(optimizer, len(variables))
    assert all(before.values()), before
    apply(zeros, variables)  # iteration 256
    assert int(optimizer.iterations) == FLUSH_EVERY
    after = subnormal_counts(optimizer, len(variables))
    assert {kind for kind, n in after.items() if n == 0} == expected
    for slots in optimizer._slot_lists:  # normal entries are untouched
        for slot in slots[:len(variables)]:
            assert np.all(slot.numpy().reshape(-1)[0::2] != 0)


def dying_problem(rng, steps: int):
    """Gradients for 3 variables: half the units get normal gradients, the rest
    tiny ones (1e-20) for 5 steps, then 0: their slots reach the subnormal range
    within a few hundred steps, as dead ReLU units' do after ~800."""
    live = [rng.random(s) < 0.5 for s in SHAPES]
    for step in range(steps):
        grads = []
        for shape, mask in zip(SHAPES, live, strict=True):
            g = rng.standard_normal(shape).astype("float32")
            dead = np.float32(1e-20) if step < 5 else np.float32(0)
            grads.append(np.where(mask, g, dead * np.sign(g)).astype("float32"))
        yield grads


def train(name: str, flush: bool, steps: int = 2 * FLUSH_EVERY):
    rng = np.random.default_rng(7)
    variables = [baro.Variable(rng.standard_normal(s).astype("float32"))
                 for s in SHAPES]
    optimizer = CASES[name][0]()
    if not flush:
        optimizer._flush_every = math.inf  # never a multiple: no flush
    for grads in dying_problem(rng, steps):
        optimizer.apply(grads, variables)
    return optimizer, [v.numpy() for v in variables]


@pytest.mark.parametrize("name", sorted(n for n, case in CASES.items() if case[1]))
def test_flushing_changes_no_update_beyond_rounding(name):
    flushed, w_flushed = train(name, flush=True)
    reference, w_reference = train(name, flush=False)
    # The reference really holds subnormals where the flushed run has zeros.
    count = len(SHAPES)
    assert any(subnormal_counts(reference, count).values())
    assert not any(n for kind, n in subnormal_counts(flushed, count).items()
                   if kind in CASES[name][1])
    for a, b in zip(w_flushed, w_reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-30)


def numpy_adam(steps: int, beta_1=0.9, beta_2=0.999, eps=1e-7):
    """Keras 3's Adam in float32, never flushed, one ufunc per equation."""
    lr = float(np.float32(0.01))  # the learning rate as baro's Variable holds it
    rng = np.random.default_rng(7)
    ws = [rng.standard_normal(s).astype("float32") for s in SHAPES]
    ms = [np.zeros(s, "float32") for s in SHAPES]
    vs = [np.zeros(s, "float32") for s in SHAPES]
    for t, grads in enumerate(dying_problem(rng, steps), start=1):
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for w, m, v, g in zip(ws, ms, vs, grads, strict=True):
            m += (g - m) * np.float32(1 - beta_1)
            v += (np.square(g) - v) * np.float32(1 - beta_2)
            w -= m / (np.sqrt(v) + np.float32(eps)) * np.float32(alpha)
    return ws, ms


def test_flushed_adam_matches_an_unflushed_numpy_adam():
    _, baro_weights = train("adam", flush=True)
    numpy_weights, numpy_moments = numpy_adam(2 * FLUSH_EVERY)
    assert any(np.any((m != 0) & (np.abs(m) < TINY32)) for m in numpy_moments)
    for got, want in zip(baro_weights, numpy_weights, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-30)


def test_tf1_optimizers_flush_their_decaying_slots():
    tf1 = baro.compat.v1.train
    cases = {tf1.MomentumOptimizer(0.1, 0.9): {"momentum"},
             tf1.AdamOptimizer(0.01): {"m", "v"},
             tf1.RMSPropOptimizer(0.01, momentum=0.5, centered=True):
                 {"rms", "momentum", "mg"},
             tf1.AdagradOptimizer(0.1): set()}
    zeros = [np.zeros(4, "float32")]
    for optimizer, expected in cases.items():
        holder = SimpleNamespace(value_holder=baro.Variable(np.full(4, 0.5,
                                                                    "float32")))
        optimizer.apply_dense_updates(zeros, [holder])  # makes the slots
        arrays = {name: array for name, array in
                  optimizer.slots[id(holder)].items()
                  if isinstance(array, np.ndarray)}
        for array in arrays.values():
            array[:] = [1e-3, SUB, SUB, 1.0]
        optimizer.iterations = FLUSH_EVERY - 2
        optimizer.apply_dense_updates(zeros, [holder])  # step 255
        assert all(array[1] != 0 for array in arrays.values())
        optimizer.apply_dense_updates(zeros, [holder])  # step 256
        flushed = {name for name, array in arrays.items() if array[1] == 0}
        assert flushed == expected, type(optimizer).__name__
        assert all(array[0] != 0 for array in arrays.values())
