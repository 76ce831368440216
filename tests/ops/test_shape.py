"""Shape ops (baro/ops/shape.py): forward vs NumPy, gradients vs finite
differences, pinned gradients of copying ops, and error messages."""

from __future__ import annotations

import numpy as np
import pytest

import baro
from baro import ops
from baro.testing import analytic_grad as grad_of
from baro.testing import assert_allclose, gradcheck

FLOATS = [np.float32, np.float64]


def _x(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return np.asarray(rng.standard_normal(shape), dtype=dtype)




# (id, baro function of one tensor, NumPy reference, input shape). Shape ops move
# values without arithmetic, so forward must match NumPy exactly.
UNARY = [
    ("reshape-2d", lambda x: ops.reshape(x, (4, 3)), lambda x: x.reshape(4, 3),
     (3, 4)),
    ("reshape-minus1", lambda x: ops.reshape(x, (-1,)), lambda x: x.reshape(-1),
     (3, 4)),
    ("reshape-minus1-mid", lambda x: ops.reshape(x, (2, -1, 2)),
     lambda x: x.reshape(2, -1, 2), (2, 3, 2)),
    ("reshape-scalar-up", lambda x: ops.reshape(x, (1, 1)),
     lambda x: x.reshape(1, 1), ()),
    ("reshape-to-scalar", lambda x: ops.reshape(x, ()), lambda x: x.reshape(()),
     (1,)),
    ("reshape-int-shape", lambda x: ops.reshape(x, 6), lambda x: x.reshape(6),
     (2, 3)),
    ("reshape-method", lambda x: x.reshape(3, 2), lambda x: x.reshape(3, 2),
     (2, 3)),
    ("flatten-method", lambda x: x.flatten(), lambda x: x.reshape(-1), (2, 3)),
    ("transpose-default", ops.transpose, np.transpose, (2, 3, 4)),
    ("transpose-axes", lambda x: ops.transpose(x, (1, 0, 2)),
     lambda x: x.transpose(1, 0, 2), (2, 3, 4)),
    ("transpose-negative", lambda x: ops.transpose(x, (-1, 0, 1)),
     lambda x: x.transpose(2, 0, 1), (2, 3, 4)),
    ("transpose-scalar", ops.transpose, np.transpose, ()),
    ("transpose-T", lambda x: x.T, lambda x: x.T, (2, 3)),
    ("expand-0", lambda x: ops.expand_dims(x, 0), lambda x: x[None], (2, 3)),
    ("expand-neg", lambda x: ops.expand_dims(x, -1), lambda x: x[..., None],
     (2, 3)),
    ("expand-mid", lambda x: ops.expand_dims(x, 1), lambda x: x[:, None], (2, 3)),
    ("expand-tuple", lambda x: ops.expand_dims(x, (0, -1)),
     lambda x: np.expand_dims(x, (0, -1)), (2, 3)),
    ("expand-scalar", lambda x: ops.expand_dims(x, 0), lambda x: x[None], ()),
    ("squeeze-all", ops.squeeze, np.squeeze, (1, 3, 1, 2)),
    ("squeeze-axis", lambda x: ops.squeeze(x, 2), lambda x: x.squeeze(2),
     (1, 3, 1, 2)),
    ("squeeze-neg", lambda x: ops.squeeze(x, -1), lambda x: x.squeeze(-1),
     (2, 1)),
    ("squeeze-to-scalar", ops.squeeze, np.squeeze, (1, 1)),
    ("squeeze-tuple", lambda x: ops.squeeze(x, (0, 2)),
     lambda x: x.squeeze((0, 2)), (1, 3, 1, 2)),
    ("broadcast-lead", lambda x: ops.broadcast_to(x, (2, 3)),
     lambda x: np.broadcast_to(x, (2, 3)), (3,)),
    ("broadcast-size1", lambda x: ops.broadcast_to(x, (4, 3)),
     lambda x: np.broadcast_to(x, (4, 3)), (1, 3)),
    ("broadcast-scalar", lambda x: ops.broadcast_to(x, (2, 2)),
     lambda x: np.broadcast_to(x, (2, 2)), ()),
    ("broadcast-both", lambda x: ops.broadcast_to(x, (3, 2, 4)),
     lambda x: np.broadcast_to(x, (3, 2, 4)), (2, 1)),
    ("broadcast-same", lambda x: ops.broadcast_to(x, (2, 3)),
     lambda x: np.broadcast_to(x, (2, 3)), (2, 3)),
    ("tile-int", lambda x: ops.tile(x, 3), lambda x: np.tile(x, 3), (2,)),
    ("tile-2d", lambda x: ops.tile(x, (2, 3)), lambda x: np.tile(x, (2, 3)),
     (2, 2)),
    ("tile-more-reps", lambda x: ops.tile(x, (3, 1, 2)),
     lambda x: np.tile(x, (3, 1, 2)), (2,)),
    ("tile-fewer-reps", lambda x: ops.tile(x, 2), lambda x: np.tile(x, 2),
     (2, 3)),
    ("tile-zero", lambda x: ops.tile(x, (0, 2)), lambda x: np.tile(x, (0, 2)),
     (2, 2)),
    ("tile-scalar", lambda x: ops.tile(x, (2, 2)), lambda x: np.tile(x, (2, 2)),
     ()),
    ("repeat-flat", lambda x: ops.repeat(x, 2), lambda x: np.repeat(x, 2),
     (2, 3)),
    ("repeat-axis1", lambda x: ops.repeat(x, 3, axis=1),
     lambda x: np.repeat(x, 3, axis=1), (2, 2)),
    ("repeat-neg-axis", lambda x: ops.repeat(x, 2, axis=-2),
     lambda x: np.repeat(x, 2, axis=-2), (2, 2, 2)),
    ("repeat-array", lambda x: ops.repeat(x, [1, 0, 3], axis=1),
     lambda x: np.repeat(x, [1, 0, 3], axis=1), (2, 3)),
    ("repeat-array-trailing-0", lambda x: ops.repeat(x, [2, 1, 0], axis=0),
     lambda x: np.repeat(x, [2, 1, 0], axis=0), (3, 2)),
    ("repeat-array-flat", lambda x: ops.repeat(x, [0, 2, 1, 0]),
     lambda x: np.repeat(x, [0, 2, 1, 0]), (2, 2)),
    ("repeat-zero", lambda x: ops.repeat(x, 0, axis=0),
     lambda x: np.repeat(x, 0, axis=0), (2, 3)),
    ("repeat-scalar", lambda x: ops.repeat(x, 3), lambda x: np.repeat(x, 3), ()),
    ("pad-constant", lambda x: ops.pad(x, [(1, 2), (0, 1)]),
     lambda x: np.pad(x, [(1, 2), (0, 1)]), (2, 3)),
    ("pad-constant-value", lambda x: ops.pad(x, 1, constant_values=2.5),
     lambda x: np.pad(x, 1, constant_values=2.5), (2, 3)),
    ("pad-pair", lambda x: ops.pad(x, (2, 1)), lambda x: np.pad(x, (2, 1)),
     (2, 2)),
    ("pad-reflect", lambda x: ops.pad(x, [(1, 2), (2, 1)], mode="reflect"),
     lambda x: np.pad(x, [(1, 2), (2, 1)], mode="reflect"), (3, 4)),
    ("pad-symmetric", lambda x: ops.pad(x, [(2, 0), (1, 3)], mode="symmetric"),
     lambda x: np.pad(x, [(2, 0), (1, 3)], mode="symmetric"), (3, 4)),
    ("pad-edge", lambda x: ops.pad(x, [(0, 2), (3, 1)], mode="edge"),
     lambda x: np.pad(x, [(0, 2), (3, 1)], mode="edge"), (2, 3)),
    ("pad-zero-width", lambda x: ops.pad(x, 0, mode="reflect"),
     lambda x: np.pad(x, 0, mode="reflect"), (2, 3)),
    ("pad-scalar", lambda x: ops.pad(x, 1), lambda x: np.pad(x, 1), ()),
    ("pad-size1-edge", lambda x: ops.pad(x, [(2, 2), (0, 0)], mode="edge"),
     lambda x: np.pad(x, [(2, 2), (0, 0)], mode="edge"), (1, 2)),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("name,fn,ref,shape", UNARY, ids=[c[0] for c in UNARY])
def test_forward_matches_numpy(name, fn, ref, shape, dtype):
    x = _x(shape, dtype)
    y = fn(baro.Tensor(x))
    expected = ref(x)
    assert y.dtype == dtype
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)


@pytest.mark.parametrize("name,fn,ref,shape", UNARY, ids=[c[0] for c in UNARY])
def test_gradcheck(name, fn, ref, shape):
    gradcheck(fn, _x(shape))


# -- joins and splits: (id, function of a list of tensors, reference, shapes) ---
JOINS = [
    ("concat-0", lambda *xs: ops.concatenate(xs, axis=0),
     lambda *xs: np.concatenate(xs, axis=0), [(1, 3), (2, 3), (3, 3)]),
    ("concat-neg", lambda *xs: ops.concatenate(xs, axis=-1),
     lambda *xs: np.concatenate(xs, axis=-1), [(2, 1), (2, 3)]),
    ("concat-empty-part", lambda *xs: ops.concatenate(xs, axis=1),
     lambda *xs: np.concatenate(xs, axis=1), [(2, 0), (2, 2)]),
    ("concat-one", lambda *xs: ops.concatenate(xs, axis=0),
     lambda *xs: np.concatenate(xs, axis=0), [(3,)]),
    ("stack-0", lambda *xs: ops.stack(xs), lambda *xs: np.stack(xs),
     [(2, 3), (2, 3), (2, 3)]),
    ("stack-last", lambda *xs: ops.stack(xs, axis=-1),
     lambda *xs: np.stack(xs, axis=-1), [(2, 3), (2, 3)]),
    ("stack-scalars", lambda *xs: ops.stack(xs), lambda *xs: np.stack(xs),
     [(), (), ()]),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("name,fn,ref,shapes", JOINS, ids=[c[0] for c in JOINS])
def test_join_forward(name, fn, ref, shapes, dtype):
    xs = [_x(s, dtype, seed=i) for i, s in enumerate(shapes)]
    y = fn(*[baro.Tensor(x) for x in xs])
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), ref(*xs))


@pytest.mark.parametrize("name,fn,ref,shapes", JOINS, ids=[c[0] for c in JOINS])
def test_join_gradcheck(name, fn, ref, shapes):
    gradcheck(fn, *[_x(s, seed=i) for i, s in enumerate(shapes)])


SPLITS = [
    ((6,), 3, 0), ((6,), [1, 4], 0), ((2, 6), 2, 1), ((2, 6), [2, 2, 5], -1),
    ((4, 2), [3], 0), ((4, 2), 1, 0), ((3, 2), [0, 3], 0),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("shape,sections,axis", SPLITS)
def test_split(shape, sections, axis, dtype):
    x = _x(shape, dtype)
    parts = ops.split(baro.Tensor(x), sections, axis=axis)
    expected = np.split(x, sections, axis=axis)
    assert len(parts) == len(expected)
    for p, e in zip(parts, expected, strict=True):
        assert p.dtype == dtype
        np.testing.assert_array_equal(p.numpy(), e)
    if dtype == np.float64:
        gradcheck(lambda t: ops.split(t, sections, axis=axis), x)


def test_split_unused_output_still_backpropagates():
    x = np.arange(6.0)
    got = grad_of(lambda t: ops.split(t, 3)[1] * 2.0, x)
    assert_allclose(got, [0, 0, 2, 2, 0, 0], 0, 0)
    t = baro.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    a, b = ops.split(t, [1], axis=1)
    (b * b).sum().backward()
    assert_allclose(t.grad, [[0, 2, 4], [0, 8, 10]], 0, 0)


def test_concatenate_and_stack_gradients_are_the_slices():
    a = baro.Tensor(np.ones((1, 2)), requires_grad=True)
    b = baro.Tensor(np.ones((2, 2)), requires_grad=True)
    seed = np.arange(6.0).reshape(3, 2)
    ops.concatenate([a, b], axis=0).backward(seed)
    assert_allclose(a.grad, seed[:1], 0, 0)
    assert_allclose(b.grad, seed[1:], 0, 0)
    c = baro.Tensor(np.ones(3), requires_grad=True)
    d = baro.Tensor(np.ones(3))  # no gradient wanted: fine
    ops.stack([c, d], axis=1).backward(np.arange(6.0).reshape(3, 2))
    assert_allclose(c.grad, [0, 2, 4], 0, 0)
    assert d.grad is None


def test_joins_promote_ints_to_the_float_dtype():
    f = baro.Tensor(np.ones(2, np.float32))
    i = baro.Tensor(np.array([1, 2], np.int32))
    assert ops.concatenate([f, i]).dtype == np.float32
    assert ops.stack([i, f]).dtype == np.float32
    assert ops.concatenate([i, i]).dtype == np.int32


# -- pinned gradients of copying ops --------------------------------------------
@pytest.mark.parametrize("mode,padded,grad", [
    ("reflect", [3, 2, 1, 2, 3, 2, 1], [2, 3, 2]),
    ("symmetric", [2, 1, 1, 2, 3, 3, 2], [2, 3, 2]),
    ("edge", [1, 1, 1, 2, 3, 3, 3], [3, 1, 3]),
    ("constant", [0, 0, 1, 2, 3, 0, 0], [1, 1, 1]),
])
def test_pad_modes_gradient_counts_copies(mode, padded, grad):
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ops.pad(x, (2, 2), mode=mode).numpy(), padded)
    assert_allclose(grad_of(lambda t: ops.pad(t, (2, 2), mode=mode), x), grad, 0, 0)


def test_pad_reflect_gradient_weighted():
    # y = [x2, x1, x0, x1, x2, x1]: each weight lands on the element it copied.
    w = np.array([1.0, 10.0, 100.0, 1000.0, 1e4, 1e5])
    got = grad_of(lambda t: ops.pad(t, (2, 1), mode="reflect"), [1.0, 2.0, 3.0], w)
    assert_allclose(got, [100.0, 10.0 + 1000.0 + 1e5, 1.0 + 1e4], 0, 0)


def test_pad_keeps_float32_gradient():
    t = baro.Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    ops.pad(t, 1, mode="symmetric").sum().backward()
    assert t.grad.dtype == np.float32


def test_repeat_with_array_including_zero():
    x = np.array([1.0, 2.0, 3.0])
    y = ops.repeat(x, [2, 0, 3])
    np.testing.assert_array_equal(y.numpy(), [1, 1, 3, 3, 3])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    got = grad_of(lambda t: ops.repeat(t, [2, 0, 3]), x, w)
    assert_allclose(got, [3.0, 0.0, 12.0], 0, 0)
    # Trailing and leading zero counts, and all zeros.
    got = grad_of(lambda t: ops.repeat(t, [2, 1, 0]), x, [1.0, 2.0, 3.0])
    assert_allclose(got, [3.0, 3.0, 0.0], 0, 0)
    got = grad_of(lambda t: ops.repeat(t, [0, 0, 2]), x, [1.0, 2.0])
    assert_allclose(got, [0.0, 0.0, 3.0], 0, 0)
    assert_allclose(grad_of(lambda t: ops.repeat(t, [0, 0, 0]) * 1.0, x), [0, 0, 0],
                    0, 0)


def test_repeat_accepts_a_tensor_of_repeats():
    x = np.arange(6.0).reshape(2, 3)
    reps = baro.Tensor(np.array([1, 0, 2], np.int32))
    np.testing.assert_array_equal(ops.repeat(x, reps, axis=1).numpy(),
                                  np.repeat(x, [1, 0, 2], axis=1))


def test_tile_with_more_reps_than_dims():
    x = np.array([1.0, 2.0])
    y = ops.tile(x, (3, 1, 2))
    assert y.shape == (3, 1, 4)
    assert_allclose(grad_of(lambda t: ops.tile(t, (3, 1, 2)), x), [6.0, 6.0], 0, 0)
    w = np.arange(12.0).reshape(3, 1, 4)
    expected = w.reshape(3, 2, 2).sum(axis=(0, 1))
    assert_allclose(grad_of(lambda t: ops.tile(t, (3, 1, 2)), x, w), expected, 0, 0)


def test_broadcast_to_gradient_sums_back():
    got = grad_of(lambda t: ops.broadcast_to(t, (3, 2, 4)), np.ones((2, 1)))
    assert_allclose(got, np.full((2, 1), 12.0), 0, 0)


def test_reshape_with_minus_one():
    x = baro.Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert ops.reshape(x, (-1, 4)).shape == (6, 4)
    assert ops.reshape(x, (4, -1)).shape == (4, 6)
    assert ops.reshape(x, -1).shape == (24,)
    assert ops.reshape(np.zeros((0, 3)), (-1, 3)).shape == (0, 3)


# -- errors ---------------------------------------------------------------------
def test_reshape_size_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"reshape: .*\(2, 3\).*\(4,\)"):
        ops.reshape(np.ones((2, 3)), (4,))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(-1, 4\)"):
        ops.reshape(np.ones((2, 3)), (-1, 4))
    with pytest.raises(ValueError, match="at most one"):
        ops.reshape(np.ones((2, 3)), (-1, -1))


def test_squeeze_of_a_non_1_axis():
    with pytest.raises(ValueError, match=r"squeeze: axis 1 .*size 3, not 1"):
        ops.squeeze(np.ones((1, 3)), axis=1)
    with pytest.raises(ValueError, match="squeeze: .*0-d"):
        ops.squeeze(np.float32(1.0), axis=0)


@pytest.mark.parametrize("name,call,valid", [
    ("transpose", lambda x: ops.transpose(x, (0, 2)), "-2..1"),
    ("expand_dims", lambda x: ops.expand_dims(x, 3), "-3..2"),
    ("expand_dims", lambda x: ops.expand_dims(x, -4), "-3..2"),
    ("squeeze", lambda x: ops.squeeze(x, 2), "-2..1"),
    ("concatenate", lambda x: ops.concatenate([x, x], axis=2), "-2..1"),
    ("stack", lambda x: ops.stack([x, x], axis=3), "-3..2"),
    ("split", lambda x: ops.split(x, 1, axis=-3), "-2..1"),
    ("repeat", lambda x: ops.repeat(x, 2, axis=2), "-2..1"),
])
def test_out_of_range_axis(name, call, valid):
    with pytest.raises(ValueError, match=rf"^{name}: axis -?\d+ .*{valid}"):
        call(np.ones((2, 3), np.float32))


def test_other_errors():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="not a permutation"):
        ops.transpose(x, (0, 0))
    with pytest.raises(ValueError, match="repeated axis"):
        ops.expand_dims(x, (0, 0))
    with pytest.raises(ValueError, match=r"broadcast_to: .*\(3,\) to \(1,\)"):
        ops.broadcast_to(np.ones(3), (1,))
    with pytest.raises(ValueError, match=r"broadcast_to: .*\(2, 3\) to \(3, 3\)"):
        ops.broadcast_to(x, (3, 3))
    with pytest.raises(ValueError, match="concatenate: .*same shape"):
        ops.concatenate([x, np.ones((2, 2))], axis=0)
    with pytest.raises(ValueError, match="stack: .*same shape"):
        ops.stack([x, np.ones((3, 2))])
    with pytest.raises(ValueError, match="split: .*cannot divide evenly"):
        ops.split(x, 2, axis=1)
    with pytest.raises(ValueError, match="repeat: repeats has 2 entries"):
        ops.repeat(x, [1, 2], axis=1)
    with pytest.raises(ValueError, match="pad: mode"):
        ops.pad(x, 1, mode="wrap")
    with pytest.raises(ValueError, match="pad: widths must be >= 0"):
        ops.pad(x, -1)
    with pytest.raises(ValueError, match="needs at least one"):
        ops.concatenate([])


# -- torch parity ---------------------------------------------------------------
def _check_torch(ours, theirs, x, seed_shape_from_ours=True):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    t = baro.Tensor(x, requires_grad=True)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = ours(t)
    ty = theirs(torch, tx)
    seed = np.random.default_rng(3).standard_normal(y.shape)
    y.backward(seed)
    ty.backward(torch.tensor(seed))
    assert_allclose(y, ty.detach().numpy(), 0, 0)
    assert_allclose(t.grad, tx.grad.numpy(), 1e-12, 1e-12)


@pytest.mark.parametrize("case", ["pad_reflect", "pad_edge", "repeat_interleave",
                                  "tile", "permute", "expand"])
def test_torch_parity(case):
    x = _x((2, 3, 4), seed=5)
    cases = {
        "pad_reflect": (lambda t: ops.pad(t, [(0, 0), (0, 0), (2, 3)], "reflect"),
                        lambda torch, t: torch.nn.functional.pad(t, (2, 3),
                                                                 mode="reflect")),
        "pad_edge": (lambda t: ops.pad(t, [(0, 0), (0, 0), (3, 1)], "edge"),
                     lambda torch, t: torch.nn.functional.pad(t, (3, 1),
                                                              mode="replicate")),
        "repeat_interleave": (
            lambda t: ops.repeat(t, [2, 0, 1], axis=1),
            lambda torch, t: torch.repeat_interleave(t, torch.tensor([2, 0, 1]),
                                                     dim=1)),
        "tile": (lambda t: ops.tile(t, (2, 1, 1, 3)),
                 lambda torch, t: torch.tile(t, (2, 1, 1, 3))),
        "permute": (lambda t: ops.transpose(t, (2, 0, 1)),
                    lambda torch, t: t.permute(2, 0, 1)),
        "expand": (lambda t: ops.broadcast_to(t[:, :1], (3, 2, 1, 4)),
                   lambda torch, t: t[:, :1].expand(3, 2, 1, 4)),
    }
    _check_torch(*cases[case], x)
