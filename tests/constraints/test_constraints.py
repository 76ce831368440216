"""Constraints: projections vs NumPy (epsilon placed as Keras places it), axes,
Tensor/array in and out, torch.renorm parity, validation, names, configs."""

import json

import numpy as np
import pytest

import baro
from baro import constraints
from baro.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from baro.testing import assert_allclose

EPS = 1e-7


def _norms(w, axis):
    return np.sqrt((w * w).sum(axis=tuple(np.atleast_1d(axis)), keepdims=True))


def max_norm_ref(w, max_value, axis):
    n = _norms(w, axis)
    return w * (np.clip(n, 0, max_value) / (EPS + n))


def min_max_norm_ref(w, lo, hi, rate, axis):
    n = _norms(w, axis)
    desired = rate * np.clip(n, lo, hi) + (1 - rate) * n
    return w * (desired / (EPS + n))


CASES = [  # constraint, NumPy reference, shape
    (MaxNorm(1.5, axis=0), lambda w: max_norm_ref(w, 1.5, 0), (4, 6)),
    (MaxNorm(2.0, axis=1), lambda w: max_norm_ref(w, 2.0, 1), (4, 6)),
    (MaxNorm(1.0, axis=[0, 1, 2]), lambda w: max_norm_ref(w, 1.0, [0, 1, 2]),
     (3, 3, 2, 5)),
    (NonNeg(), lambda w: np.maximum(w, 0), (4, 6)),
    (UnitNorm(axis=0), lambda w: w / (EPS + _norms(w, 0)), (4, 6)),
    (UnitNorm(axis=[0, 1, 2]), lambda w: w / (EPS + _norms(w, [0, 1, 2])),
     (3, 3, 2, 5)),
    (MinMaxNorm(1.0, 2.0), lambda w: min_max_norm_ref(w, 1.0, 2.0, 1.0, 0),
     (4, 6)),
    (MinMaxNorm(1.0, 2.0, rate=0.3, axis=1),
     lambda w: min_max_norm_ref(w, 1.0, 2.0, 0.3, 1), (4, 6)),
]
IDS = [repr(constraint) for constraint, _, _ in CASES]


@pytest.mark.parametrize("constraint,reference,shape", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_projection_matches_numpy(constraint, reference, shape, dtype, rng):
    w = (rng.standard_normal(shape) * 1.2).astype(dtype)
    out = constraint(baro.Tensor(w))
    assert isinstance(out, baro.Tensor)
    assert out.dtype == dtype
    tol = 1e-6 if dtype == "float32" else 1e-14
    assert_allclose(out, reference(w.astype(np.float64)), rtol=10 * tol, atol=tol)


@pytest.mark.parametrize("constraint,reference,shape", CASES, ids=IDS)
def test_raw_arrays_give_raw_arrays(constraint, reference, shape, rng):
    w = rng.standard_normal(shape)
    out = constraint(w)
    assert isinstance(out, np.ndarray)
    assert_allclose(out, reference(w), rtol=1e-14, atol=1e-14)


def test_variable_projected_in_place_by_its_constraint():
    v = baro.Variable([[3.0, 0.1], [4.0, 0.1]], constraint=MaxNorm(1.0))
    v.assign(v.constraint(v))
    assert_allclose(v, [[0.6, 0.1], [0.8, 0.1]], rtol=1e-6)


def test_max_norm_keeps_short_vectors_up_to_epsilon():
    w = np.array([[0.3], [0.4]])
    assert_allclose(MaxNorm(2.0)(w), w * 0.5 / (0.5 + EPS), rtol=1e-15)
    assert_allclose(MaxNorm(2.0)(np.zeros((2, 2))), np.zeros((2, 2)))


def test_unit_norm_gives_unit_norms(rng):
    w = UnitNorm(axis=1)(rng.standard_normal((5, 7)))
    assert_allclose(np.linalg.norm(w, axis=1), np.ones(5), rtol=1e-6)


def test_min_max_norm_lifts_and_caps(rng):
    w = rng.standard_normal((6, 4))
    w[:, 0] *= 0.01  # a short column, lifted to the minimum
    w[:, 1] *= 100.0  # a long one, capped at the maximum
    norms = np.linalg.norm(MinMaxNorm(0.5, 1.5)(w), axis=0)
    assert norms[0] == pytest.approx(0.5, rel=1e-5)
    assert norms[1] == pytest.approx(1.5, rel=1e-6)
    # epsilon / norm leaves a short column just under the minimum (Keras too).
    assert (norms >= 0.5 * (1 - 1e-5)).all() and (norms <= 1.5 + 1e-6).all()


def test_max_norm_matches_torch_renorm(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    w = rng.standard_normal((5, 8)) * np.linspace(0.1, 2.0, 8)
    # MaxNorm(axis=0) bounds each column; torch.renorm(dim=1) each w[:, j].
    # Both scale long columns by max / (norm + 1e-7); short ones differ by
    # the 1e-7 relative factor Keras applies to every column.
    expected = torch.renorm(torch.tensor(w), p=2, dim=1, maxnorm=1.0).numpy()
    assert_allclose(MaxNorm(1.0, axis=0)(w), expected, rtol=1e-6, atol=1e-12)


def test_base_constraint_is_the_identity_and_subclasses_may_override_call():
    w = baro.Tensor([1.0, -1.0])
    assert Constraint()(w) is w

    class Clip(Constraint):
        def __call__(self, w):
            return baro.ops.clip(w, -0.5, 0.5)

    assert Clip()(w).numpy().tolist() == [0.5, -0.5]


def test_defaults_are_keras():
    assert MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert UnitNorm().get_config() == {"axis": 0}
    assert MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0,
                                         "rate": 1.0, "axis": 0}
    assert NonNeg().get_config() == {}


@pytest.mark.parametrize("make,message", [
    (lambda: MaxNorm(-1.0), r"MaxNorm: max_value must be a non-negative number, "
                            r"received max_value=-1.0"),
    (lambda: MaxNorm("2"), r"MaxNorm: max_value must be"),
    (lambda: MinMaxNorm(2.0, 1.0), r"MinMaxNorm: min_value \(2.0\) must not "
                                   r"exceed max_value \(1.0\)"),
    (lambda: MinMaxNorm(rate=1.5), r"MinMaxNorm: rate must be in \[0, 1\]"),
    (lambda: MinMaxNorm(min_value=-1.0), r"MinMaxNorm: min_value must be"),
])
def test_bad_arguments_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("name,cls", [
    ("max_norm", MaxNorm), ("MaxNorm", MaxNorm), ("non_neg", NonNeg),
    ("NonNeg", NonNeg), ("unit_norm", UnitNorm), ("UnitNorm", UnitNorm),
    ("min_max_norm", MinMaxNorm), ("MinMaxNorm", MinMaxNorm),
    ("constraint", Constraint),
])
def test_get_by_name_gives_new_instances(name, cls):
    first = constraints.get(name)
    assert type(first) is cls
    assert constraints.get(name) is not first


def test_get_passes_instances_classes_callables_and_none():
    c = MaxNorm(3.0)
    assert constraints.get(c) is c
    assert type(constraints.get(UnitNorm)) is UnitNorm
    assert constraints.get(None) is None
    assert constraints.get(abs) is abs
    assert constraints.max_norm is MaxNorm and constraints.non_neg is NonNeg


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown constraint 'maxnorm'.*max_norm"):
        constraints.get("maxnorm")
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        constraints.get(2.0)


@pytest.mark.parametrize("constraint", [MaxNorm(3.0, axis=(0, 1, 2)),
                                        MinMaxNorm(0.1, 0.9, 0.5, 1), NonNeg(),
                                        UnitNorm(axis=[0, 2])], ids=repr)
def test_config_round_trips_through_json(constraint, rng):
    saved = json.loads(json.dumps(constraints.serialize(constraint)))
    rebuilt = constraints.deserialize(saved)
    assert type(rebuilt) is type(constraint)
    assert rebuilt.get_config() == constraint.get_config()
    w = rng.standard_normal((2, 3, 4))
    assert_allclose(rebuilt(w), constraint(w), rtol=0, atol=0)
    assert type(baro.saving.deserialize(saved)) is type(constraint)
