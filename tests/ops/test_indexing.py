"""Indexing and selection (baro/ops/indexing.py): x[key], take/gather,
take_along_axis, where, one_hot; forward vs NumPy, gradients vs finite
differences, accumulation at repeated indices, and errors."""

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




# (id, key, input shape). Each key indexes the NumPy array the same way.
KEYS = [
    ("int", 1, (3, 4)),
    ("neg-int", -1, (3, 4)),
    ("int-int", (1, 2), (3, 4)),
    ("all-ints-to-scalar", (0, -1), (2, 3)),
    ("slice-int", (slice(None), 1), (3, 4)),
    ("slice", slice(1, None), (3, 4)),
    ("slice-neg-step", slice(None, None, -1), (3, 4)),
    ("slices-neg-steps", (slice(None, None, -2), slice(3, 0, -1)), (3, 4)),
    ("slice-empty", slice(2, 1), (3, 4)),
    ("ellipsis", Ellipsis, (2, 3, 4)),
    ("ellipsis-int", (Ellipsis, 1), (2, 3, 4)),
    ("int-ellipsis", (0, Ellipsis), (2, 3, 4)),
    ("newaxis", None, (3, 4)),
    ("newaxis-mid", (slice(None), None, slice(None), None), (3, 4)),
    ("ellipsis-newaxis", (Ellipsis, None), (3, 4)),
    ("scalar-newaxis", None, ()),
    ("scalar-ellipsis", Ellipsis, ()),
    ("int-array", np.array([2, 0]), (3, 4)),
    ("int-array-repeated", np.array([0, 2, 0, 0]), (3, 4)),
    ("int-array-negative", np.array([-1, -3, -1]), (3, 4)),
    ("int-list", [2, 1, 2], (3, 4)),
    ("int-array-2d", np.array([[0, 1], [1, 1]]), (3, 4)),
    ("int-array-0d", np.array(1), (3, 4)),
    ("int-array-axis1", (slice(None), np.array([3, 3, 0])), (3, 4)),
    ("two-arrays", (np.array([0, 2, 0]), np.array([1, 1, 1])), (3, 4)),
    ("arrays-broadcast", (np.array([[0], [2]]), np.array([1, 3, 1])), (3, 4)),
    ("bool-1d", np.array([True, False, True]), (3, 4)),
    ("bool-full", np.array([[True, False], [False, True], [True, True]]), (3, 2)),
    ("bool-axis1", (slice(None), np.array([False, True, True, False])), (3, 4)),
    ("bool-list", [True, False, True], (3, 2)),
    ("bool-none-true", np.zeros(3, bool), (3, 2)),
    ("mixed-int-array", (1, np.array([0, 2, 2])), (3, 4)),
    ("mixed-split-advanced", (np.array([0, 1]), slice(None), np.array([1, 1])),
     (2, 3, 4)),
    ("mixed-adjacent-advanced", (slice(None), np.array([0, 0]), np.array([3, 1])),
     (2, 3, 4)),
    ("mixed-newaxis-ellipsis", (np.array([0, 1]), None, Ellipsis, np.array([1, 1])),
     (2, 3, 4)),
    ("mixed-ellipsis-array", (Ellipsis, np.array([1, 1, 0])), (2, 3, 4)),
    ("mixed-slice-step-array", (slice(None, None, -1), np.array([2, 2])), (3, 4)),
    ("mixed-bool-slice", (np.array([True, False]), slice(1, None)), (2, 3)),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("name,key,shape", KEYS, ids=[k[0] for k in KEYS])
def test_getitem_forward(name, key, shape, dtype):
    x = _x(shape, dtype)
    y = baro.Tensor(x)[key]
    expected = x[key]
    assert y.dtype == dtype
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)


@pytest.mark.parametrize("name,key,shape", KEYS, ids=[k[0] for k in KEYS])
def test_getitem_gradcheck(name, key, shape):
    gradcheck(lambda t: t[key], _x(shape))


@pytest.mark.parametrize("name,key,shape", KEYS, ids=[k[0] for k in KEYS])
def test_getitem_gradient_is_the_scatter_add(name, key, shape):
    # Reference: every output element adds its seed at the input it came from.
    x = _x(shape)
    positions = np.arange(x.size).reshape(shape)[key]
    seed = np.random.default_rng(1).standard_normal(np.shape(positions))
    expected = np.bincount(np.ravel(positions), np.ravel(seed), minlength=x.size)
    got = grad_of(lambda t: t[key], x, seed)
    assert_allclose(got, expected.reshape(shape), 1e-15, 1e-15)


def test_getitem_repeated_indices_accumulate():
    got = grad_of(lambda t: t[[0, 0, 2, 0]], [1.0, 2.0, 3.0], [1.0, 10.0, 100.0, 1e3])
    assert_allclose(got, [1011.0, 0.0, 100.0], 0, 0)
    x = np.zeros((2, 3))
    got = grad_of(lambda t: t[np.array([1, 1]), np.array([2, 2])], x)
    assert_allclose(got, [[0, 0, 0], [0, 0, 2]], 0, 0)


def test_getitem_with_tensor_keys():
    x = baro.Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    idx = baro.Tensor(np.array([2, 2], np.int32))
    mask = baro.Tensor(np.array([True, False, True]))
    np.testing.assert_array_equal(x[idx].numpy(), x.numpy()[[2, 2]])
    np.testing.assert_array_equal(x[mask, 1].numpy(), [1.0, 9.0])
    np.testing.assert_array_equal(x[baro.Tensor(np.int32(1))].numpy(), x.numpy()[1])
    x[idx].sum().backward()
    assert_allclose(x.grad, np.outer([0, 0, 2], np.ones(4)), 0, 0)


def test_getitem_empty_list_selects_nothing():
    x = baro.Tensor(np.ones((3, 2)), requires_grad=True)
    y = x[[]]
    assert y.shape == (0, 2)
    (y * 2.0).sum().backward()
    assert_allclose(x.grad, np.zeros((3, 2)), 0, 0)


def test_getitem_integer_tensor_has_no_gradient():
    x = baro.Tensor(np.arange(6, dtype=np.int32).reshape(2, 3))
    y = x[:, [2, 0]]
    assert y.dtype == np.int32 and not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), [[2, 0], [5, 3]])


def test_getitem_errors():
    x = baro.Tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match=r"getitem: .*\(2, 3\)"):
        x[2]
    with pytest.raises(IndexError, match="getitem"):
        x[:, np.array([0, 3])]
    with pytest.raises(TypeError, match="getitem: index arrays must be integer"):
        x[np.array([0.0, 1.0])]
    with pytest.raises(TypeError, match="float"):
        x[[0.5]]
    with pytest.raises(IndexError):
        x[np.array([True, False, True])]  # mask length 3 for an axis of 2


# -- take / gather --------------------------------------------------------------
# (id, input shape, indices, axis)
TAKES = [
    ("flat", (3, 4), np.array([0, 11, 5, 5]), None),
    ("flat-2d-idx", (2, 3), np.array([[0, 5], [5, 1]]), None),
    ("flat-scalar-x", (), np.array([0, 0]), None),
    ("axis0", (3, 4), np.array([2, 0, 2]), 0),
    ("axis0-scalar-idx", (3, 4), 1, 0),
    ("axis0-list", (3, 4), [1, 1], 0),
    ("axis1", (3, 4), np.array([3, 1, 3, 3]), 1),
    ("axis1-2d-idx", (2, 3, 2), np.array([[0, 2], [2, 2], [1, 0]]), 1),
    ("axis-last", (2, 3, 4), np.array([-1, 0, -4]), -1),
    ("axis-last-2d-idx", (2, 4), np.array([[3, 3], [0, 1]]), -1),
    ("axis1-scalar-idx", (2, 3, 4), -2, 1),
    ("empty-idx", (3, 4), np.zeros(0, np.int32), 0),
    ("axis0-int64", (3,), np.array([2, 1], np.int64), 0),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("name,shape,indices,axis", TAKES, ids=[t[0] for t in TAKES])
def test_take_forward(name, shape, indices, axis, dtype):
    x = _x(shape, dtype)
    y = ops.take(baro.Tensor(x), indices, axis=axis)
    expected = np.take(x, indices, axis=axis)
    assert y.dtype == dtype
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)


@pytest.mark.parametrize("name,shape,indices,axis", TAKES, ids=[t[0] for t in TAKES])
def test_take_gradcheck(name, shape, indices, axis):
    gradcheck(lambda t: ops.take(t, indices, axis=axis), _x(shape))


def test_take_repeated_indices_accumulate():
    got = grad_of(lambda t: ops.take(t, [1, 1, 1, 0], axis=1), np.zeros((2, 2)),
                np.arange(8.0).reshape(2, 4))
    assert_allclose(got, [[3.0, 3.0], [7.0, 15.0]], 0, 0)
    got = grad_of(lambda t: ops.take(t, np.array([[2, 2], [2, 0]])), np.zeros(3))
    assert_allclose(got, [1.0, 0.0, 3.0], 0, 0)


def test_gather_defaults_to_axis_0():
    x = _x((3, 2))
    np.testing.assert_array_equal(ops.gather(x, [2, 0]).numpy(), x[[2, 0]])
    np.testing.assert_array_equal(baro.gather(x, [1], axis=1).numpy(), x[:, [1]])
    np.testing.assert_array_equal(ops.take(x, [5]).numpy(), [x.reshape(-1)[5]])


def test_take_errors():
    x = np.ones((2, 3))
    with pytest.raises(IndexError, match=r"take: indices must lie in \[-3, 3\)"):
        ops.take(x, [0, 3], axis=1)
    with pytest.raises(IndexError, match=r"\[-2, 2\)"):
        ops.take(x, [-3], axis=0)
    with pytest.raises(IndexError, match=r"\[-6, 6\)"):
        ops.take(x, 6)
    with pytest.raises(TypeError, match="take: indices must be integers"):
        ops.take(x, [0.0, 1.0])
    with pytest.raises(TypeError, match="take: indices must be integers"):
        ops.take(x, np.array([True, False]))
    with pytest.raises(ValueError, match=r"take: axis 2 .*-2\.\.1"):
        ops.take(x, [0], axis=2)


# -- take_along_axis ------------------------------------------------------------
# (id, input shape, indices, axis)
ALONG = [
    ("axis1", (2, 3), np.array([[2, 2], [0, 1]]), 1),
    ("axis0", (3, 2), np.array([[2, 0], [2, 2], [1, 1]]), 0),
    ("axis-neg", (2, 2, 3), np.array([[[0], [2]], [[1], [1]]]), -1),
    ("broadcast-indices", (3, 4), np.array([[0, 3, 0]]), 1),
    ("broadcast-x", (1, 4), np.array([[0], [3], [3]]), 1),
    ("argmax-style", (3, 4), np.array([[1], [0], [3]]), 1),
    ("flat", (2, 3), np.array([5, 0, 5]), None),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("name,shape,indices,axis", ALONG, ids=[a[0] for a in ALONG])
def test_take_along_axis(name, shape, indices, axis, dtype):
    x = _x(shape, dtype)
    y = ops.take_along_axis(baro.Tensor(x), indices, axis=axis)
    expected = np.take_along_axis(x, indices, axis=axis)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), expected)
    if dtype == np.float64:
        gradcheck(lambda t: ops.take_along_axis(t, indices, axis=axis), x)


def test_take_along_axis_errors():
    with pytest.raises(ValueError, match="take_along_axis: indices have 1 dims"):
        ops.take_along_axis(np.ones((2, 3)), np.array([0, 1]), axis=1)
    with pytest.raises(TypeError, match="take_along_axis: indices must be integers"):
        ops.take_along_axis(np.ones((2, 3)), np.zeros((2, 1)), axis=1)


# -- where ----------------------------------------------------------------------
# (id, condition shape, x1 shape, x2 shape); None means a Python scalar.
WHERES = [
    ("same", (2, 3), (2, 3), (2, 3)),
    ("scalar-cond", (), (2, 3), (2, 3)),
    ("broadcast-cond", (1, 3), (2, 3), (2, 3)),
    ("broadcast-x1", (2, 3), (3,), (2, 3)),
    ("broadcast-both", (2, 1), (1, 3), (2, 1)),
    ("cond-biggest", (2, 2, 3), (3,), (2, 1, 1)),
    ("scalar-x2", (2, 3), (2, 3), None),
    ("scalar-tensors", (), (), ()),
]


def _where_inputs(cshape, s1, s2, dtype):
    rng = np.random.default_rng(4)
    cond = rng.random(cshape) > 0.5
    a = _x(s1, dtype, seed=1) if s1 is not None else -7.5
    b = _x(s2, dtype, seed=2) if s2 is not None else 0.25
    return cond, a, b


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("name,cshape,s1,s2", WHERES, ids=[w[0] for w in WHERES])
def test_where_forward(name, cshape, s1, s2, dtype):
    cond, a, b = _where_inputs(cshape, s1, s2, dtype)
    wrap = [baro.Tensor(v) if isinstance(v, np.ndarray) else v for v in (a, b)]
    y = ops.where(baro.Tensor(cond), *wrap)
    assert y.dtype == dtype  # a Python scalar must not promote to float64
    np.testing.assert_array_equal(y.numpy(), np.where(cond, a, b).astype(dtype))


@pytest.mark.parametrize("name,cshape,s1,s2", WHERES, ids=[w[0] for w in WHERES])
def test_where_gradcheck(name, cshape, s1, s2):
    cond, a, b = _where_inputs(cshape, s1, s2, np.float64)
    if s2 is None:
        gradcheck(lambda t: ops.where(cond, t, b), a)
    else:
        gradcheck(lambda t, u: ops.where(cond, t, u), a, b)


def test_where_gradient_values():
    cond = np.array([True, False, True])
    a = baro.Tensor(np.ones(3), requires_grad=True)
    b = baro.Tensor(np.ones(1), requires_grad=True)
    ops.where(cond, a, b).backward(np.array([1.0, 2.0, 3.0]))
    assert_allclose(a.grad, [1.0, 0.0, 3.0], 0, 0)
    assert_allclose(b.grad, [2.0], 0, 0)


@pytest.mark.filterwarnings("error")
def test_where_gradient_ignores_the_unpicked_branch():
    # The classic where(x > 0, log(x), 0): the unpicked log(-1) branch is never
    # computed here, but a NaN in an unpicked branch value must not leak.
    x = baro.Tensor(np.array([np.nan, 2.0]), requires_grad=True)
    y = ops.where(np.array([False, True]), x * 3.0, 0.0)
    y.sum().backward()
    assert_allclose(x.grad, [0.0, 3.0], 0, 0)


@pytest.mark.parametrize("cond", [
    [True, False, True],
    np.array([[0.0, 2.0], [3.0, 0.0]]),
    np.zeros((2, 2, 2), bool),
])
def test_where_one_argument_gives_indices(cond):
    got = ops.where(cond)
    expected = np.nonzero(np.asarray(cond))
    assert isinstance(got, tuple) and len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == np.int32
        np.testing.assert_array_equal(g.numpy(), e)


def test_where_needs_both_or_neither():
    with pytest.raises(ValueError, match="where: give both"):
        ops.where([True], 1.0)


# -- one_hot --------------------------------------------------------------------
def _np_one_hot(labels, depth, axis=-1, on=1.0, off=0.0):
    labels = np.asarray(labels)
    out = np.where(labels[..., None] == np.arange(depth), on, off)
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("labels,depth,axis", [
    ([0, 2, 1], 3, -1),
    (2, 4, -1),
    ([[0, 1], [3, 2]], 4, -1),
    ([[0, 1], [3, 2]], 4, 0),
    ([[0, 1], [3, 2]], 4, 1),
    ([[0, 1], [3, 2]], 4, 2),
    ([[0, 1], [3, 2]], 4, -2),
    ([0, 5, -1, 3], 4, -1),  # out of range and negative: all-off rows
    ([[7, -2]], 3, 0),
])
def test_one_hot(labels, depth, axis):
    y = ops.one_hot(labels, depth, axis=axis)
    expected = _np_one_hot(labels, depth, axis)
    assert y.dtype == np.float32
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)


def test_one_hot_out_of_range_rows_are_all_off():
    y = ops.one_hot(np.array([4, -1, 1]), 3).numpy()
    np.testing.assert_array_equal(y, [[0, 0, 0], [0, 0, 0], [0, 1, 0]])


def test_one_hot_on_off_values_and_dtype():
    y = ops.one_hot([1, 3, 0], 3, on_value=5.0, off_value=-1.0)
    np.testing.assert_array_equal(y.numpy(), [[-1, 5, -1], [-1, -1, -1],
                                              [5, -1, -1]])
    assert y.dtype == np.float32
    y = ops.one_hot([1, 0], 2, on_value=0.9, off_value=0.05, dtype="float64")
    assert y.dtype == np.float64
    assert_allclose(y, [[0.05, 0.9], [0.9, 0.05]], 0, 0)
    y = ops.one_hot(np.array([2, 0], np.int64), num_classes=3, dtype="int32")
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.numpy(), [[0, 0, 1], [1, 0, 0]])
    labels = baro.Tensor(np.array([1], np.int32))
    np.testing.assert_array_equal(baro.one_hot(labels, 2).numpy(), [[0, 1]])


def test_one_hot_errors():
    with pytest.raises(TypeError, match="one_hot: indices must be integers"):
        ops.one_hot([0.0, 1.0], 2)
    with pytest.raises(ValueError, match="one_hot: pass depth"):
        ops.one_hot([0, 1])
    with pytest.raises(ValueError, match=r"one_hot: axis 3 .*-3\.\.2"):
        ops.one_hot([[0, 1]], 2, axis=3)


# -- torch parity ---------------------------------------------------------------
def _check_torch(ours, theirs, x):
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


IDX = np.array([2, 0, 2, 2])
ALONG_IDX = np.array([[1, 1], [0, 3], [3, 3]])


@pytest.mark.parametrize("case", ["index_select", "index_select_last", "gather",
                                  "advanced_repeats", "advanced_pair", "bool_mask",
                                  "negative_step"])
def test_torch_parity(case):
    x = _x((3, 4), seed=6)
    cases = {
        "index_select": (lambda t: ops.take(t, IDX, axis=0),
                         lambda torch, t: torch.index_select(t, 0,
                                                             torch.tensor(IDX))),
        "index_select_last": (
            lambda t: ops.take(t, IDX[:3] + 1, axis=-1),
            lambda torch, t: torch.index_select(t, -1, torch.tensor(IDX[:3] + 1))),
        "gather": (lambda t: ops.take_along_axis(t, ALONG_IDX, axis=1),
                   lambda torch, t: torch.gather(t, 1, torch.tensor(ALONG_IDX))),
        "advanced_repeats": (lambda t: t[IDX, 1:],
                             lambda torch, t: t[torch.tensor(IDX), 1:]),
        "advanced_pair": (lambda t: t[IDX, IDX[::-1]],
                          lambda torch, t: t[torch.tensor(IDX),
                                             torch.tensor(IDX[::-1].copy())]),
        "bool_mask": (lambda t: t[t.numpy() > 0],
                      lambda torch, t: t[t.detach() > 0]),
        "negative_step": (lambda t: t[::-1, ::-2],
                          lambda torch, t: t.flip(0).flip(1)[:, ::2]),
    }
    _check_torch(*cases[case], x)
