"""Reductions (baro/ops/reduction.py): forward vs NumPy, gradients vs finite
differences, Keras dtype rules, ties, zeros, infinities and errors."""

from __future__ import annotations

import numpy as np
import pytest

import baro
from baro import ops
from baro.testing import analytic_grad as grad_of
from baro.testing import assert_allclose, gradcheck

FLOATS = [np.float32, np.float64]
TOL = {np.float32: 2e-6, np.float64: 1e-12}


def _x(shape, dtype=np.float64, seed=0):
    """Values of magnitude 0.5..1.5 with random signs: no ties, no zeros."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return np.asarray(x, dtype=dtype)




def _np_logsumexp(x, axis=None, keepdims=False):
    # Plain float64 formula: fine for the small inputs of the tables.
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


# (name, baro op, NumPy reference). Keras semantics: var/std are population.
REDUCTIONS = [
    ("sum", ops.sum, np.sum),
    ("mean", ops.mean, np.mean),
    ("max", ops.max, np.max),
    ("min", ops.min, np.min),
    ("prod", ops.prod, np.prod),
    ("var", ops.var, np.var),
    ("std", ops.std, np.std),
    ("logsumexp", ops.logsumexp, _np_logsumexp),
]

# (input shape, axis, keepdims): scalars, size-1 axes, negative and tuple axes.
AXES = [
    ((), None, False),
    ((), None, True),
    ((5,), None, False),
    ((5,), 0, True),
    ((5,), -1, False),
    ((3, 4), None, False),
    ((3, 4), None, True),
    ((3, 4), 0, False),
    ((3, 4), 1, True),
    ((3, 4), -1, False),
    ((3, 4), (0, 1), False),
    ((3, 4), (), False),
    ((2, 1, 3), 1, False),
    ((2, 1, 3), (0, 2), True),
    ((2, 3, 4), (2, 0), False),
    ((1, 1), None, True),
]


def _ids(cases):
    return [f"{s}-axis{a}-keep{k}" for s, a, k in cases]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("shape,axis,keepdims", AXES, ids=_ids(AXES))
@pytest.mark.parametrize("name,fn,ref", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_forward_matches_numpy(name, fn, ref, shape, axis, keepdims, dtype):
    x = _x(shape, dtype)
    y = fn(baro.Tensor(x), axis=axis, keepdims=keepdims)
    expected = ref(x.astype(np.float64), axis=axis, keepdims=keepdims)
    assert y.dtype == dtype, f"{name} turned {dtype.__name__} into {y.dtype}"
    assert y.shape == np.shape(expected)
    assert_allclose(y, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("shape,axis,keepdims", AXES, ids=_ids(AXES))
@pytest.mark.parametrize("name,fn,ref", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_gradcheck(name, fn, ref, shape, axis, keepdims):
    gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), _x(shape))


@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
@pytest.mark.parametrize("name,fn,ref", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reduce_of_broadcast_input(name, fn, ref, axis):
    # Broadcasting makes exact ties along axis 0: max/min split the gradient
    # among the copies and the engine sums it back to the (1, 4) input.
    x = _x((1, 4))
    y = fn(ops.broadcast_to(baro.Tensor(x), (3, 4)), axis=axis)
    assert_allclose(y, ref(np.broadcast_to(x, (3, 4)), axis=axis), 1e-12, 1e-12)
    gradcheck(lambda t: fn(ops.broadcast_to(t, (3, 4)), axis=axis), x)


def test_tensor_methods_match_ops():
    x = baro.Tensor(_x((3, 4)))
    for method, fn in [("sum", ops.sum), ("mean", ops.mean), ("max", ops.max),
                       ("min", ops.min), ("prod", ops.prod), ("var", ops.var),
                       ("std", ops.std)]:
        assert_allclose(getattr(x, method)(axis=1), fn(x, axis=1), 0, 0)
    assert_allclose(x.argmax(axis=0), ops.argmax(x, axis=0), 0, 0)
    assert_allclose(x.cumsum(axis=1), ops.cumsum(x, axis=1), 0, 0)


# -- dtypes ---------------------------------------------------------------------
@pytest.mark.parametrize("fn", [ops.sum, ops.prod, ops.cumsum],
                         ids=["sum", "prod", "cumsum"])
@pytest.mark.parametrize("dtype,expected", [
    (np.int32, np.int32),
    (np.int64, np.int64),
    (np.uint32, np.uint32),
    (np.bool_, np.int32),
])
def test_integer_accumulation_keeps_keras_dtype(fn, dtype, expected):
    # NumPy alone widens int32 to int64; Keras keeps int32 and sums bool as int32.
    x = np.array([[1, 0, 1], [1, 1, 1]]).astype(dtype)
    y = fn(x, axis=1)
    assert y.dtype == expected
    ref = {ops.sum: np.sum, ops.prod: np.prod, ops.cumsum: np.cumsum}[fn]
    np.testing.assert_array_equal(y.numpy(), ref(x.astype(np.int64), axis=1))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
def test_small_integers_accumulate_in_32_bits(dtype):
    x = np.full(300, 100).astype(dtype)
    expected = np.uint32 if dtype == np.uint8 else np.int32
    assert ops.sum(x).dtype == expected
    assert ops.sum(x).item() == 30000
    assert ops.prod(x[:1]).dtype == expected


def test_max_min_keep_integer_dtype_and_mean_var_give_floatx():
    x = np.array([[3, 1], [2, 5]], dtype=np.int32)
    assert ops.max(x).dtype == np.int32 and ops.max(x).item() == 5
    assert ops.min(x, axis=0).dtype == np.int32
    for fn, ref in [(ops.mean, np.mean), (ops.var, np.var), (ops.std, np.std),
                    (ops.logsumexp, _np_logsumexp)]:
        y = fn(x, axis=1)
        assert y.dtype == np.float32
        assert_allclose(y, ref(x.astype(np.float64), axis=1), 1e-6, 1e-6)


def test_float16_stays_float16():
    x = _x((2, 3), np.float16)
    for fn in (ops.sum, ops.mean, ops.max, ops.prod, ops.var, ops.std,
               ops.logsumexp, ops.cumsum):
        assert fn(x, axis=1).dtype == np.float16


# -- max / min ------------------------------------------------------------------
def test_max_gradient_split_evenly_among_ties():
    assert_allclose(grad_of(ops.max, [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5], 0, 0)
    assert_allclose(grad_of(ops.min, [2.0, 1.0, 1.0, 1.0]), [0, 1 / 3, 1 / 3, 1 / 3],
                    1e-15, 0)
    assert_allclose(grad_of(ops.max, [[4.0, 4.0], [4.0, 4.0]]), np.full((2, 2), 0.25),
                    0, 0)


def test_max_gradient_ties_per_slice_with_keepdims():
    x = np.array([[1.0, 5.0, 5.0], [7.0, 2.0, 7.0], [0.0, 0.0, 9.0]])
    expected = np.array([[0, 0.5, 0.5], [0.5, 0, 0.5], [0, 0, 1]]) * [[1], [2], [3]]
    seed = np.array([[1.0], [2.0], [3.0]])
    for keepdims in (True, False):
        s = seed if keepdims else seed[:, 0]
        got = grad_of(lambda t, k=keepdims: ops.max(t, axis=1, keepdims=k), x, s)
        assert_allclose(got, expected, 0, 0)
    got = grad_of(lambda t: ops.min(t, axis=0), x, np.array([1.0, 2.0, 3.0]))
    assert_allclose(got, [[0, 0, 3], [0, 0, 0], [1, 2, 0]], 0, 0)
    ties = np.array([[1.0, 5.0, 7.0], [1.0, 2.0, 7.0]])
    got = grad_of(lambda t: ops.min(t, axis=0), ties, np.array([1.0, 2.0, 3.0]))
    assert_allclose(got, [[0.5, 0, 1.5], [0.5, 2, 1.5]], 0, 0)


def test_max_min_empty():
    with pytest.raises(ValueError, match="max: cannot reduce over an empty axis"):
        ops.max(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="min: .*empty"):
        ops.min(np.zeros((0, 3)), axis=0)
    with pytest.raises(ValueError, match="argmax: .*empty"):
        ops.argmax(np.zeros((2, 0)), axis=1)
    # Reducing a non-empty axis of an empty tensor is fine (as NumPy).
    assert ops.max(np.zeros((0, 3)), axis=1).shape == (0,)
    assert ops.argmin(np.zeros((0, 3)), axis=1).shape == (0,)


# -- prod -----------------------------------------------------------------------
def test_prod_gradient_exact_with_one_zero():
    assert_allclose(grad_of(ops.prod, [2.0, 0.0, 3.0]), [0.0, 6.0, 0.0], 0, 0)
    x = np.array([[2.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    assert_allclose(grad_of(lambda t: ops.prod(t, axis=1), x),
                    [[0, 10, 0], [6, 3, 2]], 0, 0)
    gradcheck(lambda t: ops.prod(t, axis=1), x)


def test_prod_gradient_exact_with_two_zeros():
    assert_allclose(grad_of(ops.prod, [0.0, 2.0, 0.0]), [0.0, 0.0, 0.0], 0, 0)
    x = np.array([[0.0, 0.0], [0.0, 4.0]])
    assert_allclose(grad_of(lambda t: ops.prod(t, axis=0), x),
                    [[0, 4], [0, 0]], 0, 0)
    assert_allclose(grad_of(lambda t: ops.prod(t, axis=1), x),
                    [[0, 0], [4, 0]], 0, 0)
    gradcheck(lambda t: ops.prod(t, axis=(0, 1)), x)


# -- var / std ------------------------------------------------------------------
def test_var_std_are_population():
    x = [1.0, 2.0, 3.0, 4.0]
    assert ops.var(x).item() == pytest.approx(1.25)
    assert ops.std(x).item() == pytest.approx(np.sqrt(1.25))
    assert baro.reduce_variance(x).item() == pytest.approx(1.25)
    assert baro.reduce_std(x).item() == pytest.approx(np.sqrt(1.25))


@pytest.mark.filterwarnings("error")
def test_std_gradient_is_zero_for_equal_elements():
    # std is not differentiable there; 0 (torch's choice) beats 0 * inf = NaN.
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    got = grad_of(lambda t: ops.std(t, axis=1), x)
    expected_row = (np.array([1.0, 2.0, 3.0]) - 2.0) / (3 * np.sqrt(2 / 3))
    assert_allclose(got, [[0, 0, 0], expected_row], 1e-12, 1e-15)
    assert_allclose(grad_of(ops.var, [5.0, 5.0]), [0.0, 0.0], 0, 0)


# -- logsumexp ------------------------------------------------------------------
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
def test_logsumexp_stable_for_large_inputs(dtype):
    x = np.array([[1e4, 1e4], [-1e4, -1e4], [1e4, -1e4]], dtype=dtype)
    y = ops.logsumexp(x, axis=1)
    assert y.dtype == dtype
    assert_allclose(y, [1e4 + np.log(2), -1e4 + np.log(2), 1e4], 1e-6, 0)
    t = baro.Tensor(x, requires_grad=True)
    ops.logsumexp(t, axis=1).sum().backward()
    assert t.grad.dtype == dtype
    assert_allclose(t.grad, [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]], 1e-6, 1e-6)


@pytest.mark.filterwarnings("error")
def test_logsumexp_all_minus_inf_slice():
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf], [0.0, np.log(3.0)]])
    y = ops.logsumexp(x, axis=1)
    assert_allclose(y, [-np.inf, 0.0, np.log(4.0)], 1e-12, 0)
    # The all -inf row gets a zero gradient (a convention: TF/torch give NaN);
    # a lone -inf entry in a finite row gets exactly 0.
    got = grad_of(lambda t: ops.logsumexp(t, axis=1), x)
    assert_allclose(got, [[0.0, 0.0], [1.0, 0.0], [0.25, 0.75]], 1e-12, 0)
    assert ops.logsumexp(np.full(3, -np.inf)).item() == -np.inf


# -- cumsum ---------------------------------------------------------------------
CUMSUM = [((), None), ((5,), 0), ((5,), None), ((3, 4), 0), ((3, 4), 1),
          ((3, 4), -1), ((3, 4), None), ((2, 1, 3), 1), ((2, 1, 3), -3)]


@pytest.mark.parametrize("dtype", FLOATS, ids=["f32", "f64"])
@pytest.mark.parametrize("shape,axis", CUMSUM)
def test_cumsum(shape, axis, dtype):
    x = _x(shape, dtype)
    y = ops.cumsum(x, axis=axis)
    # axis=None flattens (Keras); NumPy cannot take axis=0 on a 0-d array.
    expected = np.cumsum(x.astype(np.float64).reshape(-1) if x.ndim == 0 else
                         x.astype(np.float64), axis=axis)
    assert y.dtype == dtype
    assert_allclose(y, expected, TOL[dtype], TOL[dtype])
    if dtype == np.float64:
        gradcheck(lambda t: ops.cumsum(t, axis=axis), x)


def test_axis_on_a_scalar_is_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        ops.cumsum(np.float32(1.0), axis=0)
    with pytest.raises(ValueError, match="out of range"):
        ops.sum(np.float32(1.0), axis=0)


def test_cumsum_gradient_is_reversed_cumsum():
    got = grad_of(ops.cumsum, [1.0, 2.0, 3.0], np.array([1.0, 10.0, 100.0]))
    assert_allclose(got, [111.0, 110.0, 100.0], 0, 0)


# -- argmax / argmin / any / all ------------------------------------------------
ARG = [((5,), None, False), ((3, 4), None, False), ((3, 4), 0, False),
       ((3, 4), 1, True), ((3, 4), -1, False), ((2, 1, 3), 1, False),
       ((3, 4), None, True)]


@pytest.mark.parametrize("shape,axis,keepdims", ARG, ids=_ids(ARG))
@pytest.mark.parametrize("op,ref", [(ops.argmax, np.argmax), (ops.argmin, np.argmin)],
                         ids=["argmax", "argmin"])
def test_argmax_argmin(op, ref, shape, axis, keepdims):
    x = _x(shape, np.float32)
    y = op(baro.Tensor(x, requires_grad=True), axis=axis, keepdims=keepdims)
    assert y.dtype == np.int32  # Keras returns int32
    assert not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), ref(x, axis=axis, keepdims=keepdims))


def test_argmax_ties_pick_first():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    np.testing.assert_array_equal(ops.argmax(x, axis=1).numpy(), [1, 0])
    np.testing.assert_array_equal(ops.argmin(x[::-1], axis=1).numpy(), [2, 0])
    np.testing.assert_array_equal(ops.argmin(np.ones((2, 3)), axis=0).numpy(),
                                  [0, 0, 0])
    assert ops.argmax(x).item() == 1


ANY_ALL = [((), None, False), ((2, 3), None, False), ((2, 3), 0, False),
           ((2, 3), 1, True), ((2, 3), (0, 1), True), ((2, 1, 3), -1, False)]


@pytest.mark.parametrize("shape,axis,keepdims", ANY_ALL, ids=_ids(ANY_ALL))
@pytest.mark.parametrize("op,ref", [(ops.any, np.any), (ops.all, np.all)],
                         ids=["any", "all"])
def test_any_all(op, ref, shape, axis, keepdims):
    rng = np.random.default_rng(0)
    for x in (rng.random(shape) > 0.5, np.where(rng.random(shape) > 0.5, 0.0, 2.5)):
        y = op(x, axis=axis, keepdims=keepdims)
        assert y.dtype == np.bool_
        np.testing.assert_array_equal(y.numpy(), ref(x, axis=axis, keepdims=keepdims))


# -- errors ---------------------------------------------------------------------
@pytest.mark.parametrize("name,fn", [
    ("sum", ops.sum), ("mean", ops.mean), ("max", ops.max), ("min", ops.min),
    ("prod", ops.prod), ("var", ops.var), ("std", ops.std),
    ("logsumexp", ops.logsumexp), ("cumsum", ops.cumsum), ("argmax", ops.argmax),
    ("argmin", ops.argmin), ("any", ops.any), ("all", ops.all),
])
def test_out_of_range_axis(name, fn):
    x = np.ones((2, 3), np.float32)
    for axis in (2, -3):
        with pytest.raises(ValueError, match=rf"^{name}: axis {axis} .*-2\.\.1"):
            fn(x, axis=axis)


@pytest.mark.parametrize("fn", [ops.sum, ops.max, ops.prod, ops.var])
def test_repeated_axis(fn):
    with pytest.raises(ValueError, match="repeated axis"):
        fn(np.ones((2, 3)), axis=(1, -1))


def test_non_numeric_input():
    with pytest.raises(TypeError):
        ops.mean(np.array(["a", "b"]))


# -- torch parity ---------------------------------------------------------------
def _torch_pair(x):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    return torch, torch.tensor(x, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("case", ["amax_ties", "amin_ties", "prod_zero", "prod",
                                  "logsumexp", "cumsum", "var", "std", "mean"])
def test_torch_parity(case):
    x = _x((3, 4), seed=1)
    # A three-way tie for the max (and, negated, the min) of row 1.
    x[1] = [1.25, 1.25, 0.75, 1.25] if case != "amin_ties" else [-1.25, -1.25,
                                                                 -0.75, -1.25]
    if case == "prod_zero":
        x[0, 2] = 0.0
    torch, tx = _torch_pair(x)
    seed = np.random.default_rng(2).standard_normal(3)
    fns = {
        "amax_ties": (lambda t: ops.max(t, axis=1), lambda t: t.amax(dim=1)),
        "amin_ties": (lambda t: ops.min(t, axis=1), lambda t: t.amin(dim=1)),
        "prod_zero": (lambda t: ops.prod(t, axis=1), lambda t: t.prod(dim=1)),
        "prod": (lambda t: ops.prod(t, axis=1), lambda t: t.prod(dim=1)),
        "logsumexp": (lambda t: ops.logsumexp(t, axis=1),
                      lambda t: torch.logsumexp(t, dim=1)),
        "cumsum": (lambda t: ops.cumsum(t, axis=1)[:, 2],
                   lambda t: torch.cumsum(t, dim=1)[:, 2]),
        "var": (lambda t: ops.var(t, axis=1), lambda t: t.var(dim=1, correction=0)),
        "std": (lambda t: ops.std(t, axis=1), lambda t: t.std(dim=1, correction=0)),
        "mean": (lambda t: ops.mean(t, axis=1), lambda t: t.mean(dim=1)),
    }
    ours, theirs = fns[case]
    t = baro.Tensor(x, requires_grad=True)
    y = ours(t)
    y.backward(seed)
    ty = theirs(tx)
    ty.backward(torch.tensor(seed))
    assert_allclose(y, ty.detach().numpy(), 1e-12, 1e-12)
    assert_allclose(t.grad, tx.grad.numpy(), 1e-12, 1e-12)
