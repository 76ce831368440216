"""Regularizers: values vs NumPy and hand-computed goldens, gradients (float64
gradcheck and torch), validation, `get` names, config round trips."""

import json

import numpy as np
import pytest

import baro
from baro import regularizers
from baro.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer
from baro.testing import assert_allclose, gradcheck

EPS = 1e-7


def orthogonal_reference(x, factor, mode):
    # Keras's formula written out in NumPy, in float64.
    x = x if mode == "rows" else x.T
    with np.errstate(divide="ignore"):  # a zero row: 1/0 = inf, then capped
        inv = np.minimum(1 / np.sqrt((x * x).sum(axis=1, keepdims=True)), 1 / EPS)
    u = x * inv
    n = x.shape[0]
    off = (u @ u.T) * (1 - np.eye(n))
    return factor * 0.5 * np.abs(off).sum() / max(n * (n - 1) / 2, 1)


def test_keras_documented_values():
    assert float(L2(2.0)(baro.ops.ones((5, 5)))) == 50.0
    # Dense kernel of ones (5, 5) with L1(0.01): 0.01 * 25 = 0.25.
    assert float(L1(0.01)(np.ones((5, 5)))) == pytest.approx(0.25)


def test_hand_computed_values():
    x = [[1.0, -2.0], [0.5, 0.0]]
    assert float(L1(0.1)(x)) == pytest.approx(0.35)
    assert float(L2(0.1)(x)) == pytest.approx(0.525)
    assert float(L1L2(l1=0.1, l2=0.1)(x)) == pytest.approx(0.875)
    # Rows (1, 0) and (1, 1)/sqrt(2): one pair, |cos| = 1/sqrt(2).
    assert float(OrthogonalRegularizer(1.0)([[1.0, 0.0], [1.0, 1.0]])) == \
        pytest.approx(2**-0.5, rel=1e-6)
    # Orthogonal rows give no penalty.
    assert float(OrthogonalRegularizer(1.0)(np.eye(3))) == 0.0


@pytest.mark.parametrize("mode", ["rows", "columns"])
@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 3)])
def test_orthogonal_matches_numpy(mode, shape, rng):
    x = rng.standard_normal(shape)
    assert_allclose(OrthogonalRegularizer(0.3, mode)(x),
                    orthogonal_reference(x, 0.3, mode), rtol=1e-12, atol=1e-15)


def test_orthogonal_zero_row_and_single_row():
    x = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, -1.0]])
    y = OrthogonalRegularizer(1.0)(x)
    assert np.isfinite(float(y))
    assert_allclose(y, orthogonal_reference(x, 1.0, "rows"), rtol=1e-12)
    # One row has no pair: 0 (Keras divides 0 by 0 and gives NaN here).
    assert float(OrthogonalRegularizer(1.0)([[1.0, 2.0]])) == 0.0


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.3), L1L2(0.2, 0.4), L1L2(0.0, 0.0),
                                 OrthogonalRegularizer(0.5),
                                 OrthogonalRegularizer(0.5, "columns")],
                         ids=repr)
def test_gradient_matches_finite_differences(reg, rng):
    x = rng.standard_normal((4, 5))
    x = np.where(np.abs(x) < 0.1, 0.5, x)  # |x| has a kink at 0
    gradcheck(reg, x)


@pytest.mark.parametrize("name", ["l1", "l2", "l1_l2", "orthogonal"])
def test_matches_torch_value_and_gradient(name, rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((4, 3))

    def reference(t):
        if name == "l1":
            return 0.2 * t.abs().sum()
        if name == "l2":
            return 0.2 * (t * t).sum()
        if name == "l1_l2":
            return 0.1 * t.abs().sum() + 0.3 * (t * t).sum()
        u = torch.nn.functional.normalize(t, dim=1, eps=EPS)
        off = (u @ u.T) * (1 - torch.eye(4, dtype=t.dtype))
        return 0.2 * 0.5 * off.abs().sum() / 6

    reg = {"l1": L1(0.2), "l2": L2(0.2), "l1_l2": L1L2(0.1, 0.3),
           "orthogonal": OrthogonalRegularizer(0.2)}[name]
    xt = torch.tensor(x, requires_grad=True)
    yt = reference(xt)
    yt.backward()
    xb = baro.Tensor(x, requires_grad=True)
    yb = reg(xb)
    yb.backward()
    assert yb.shape == ()
    assert_allclose(yb, yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert_allclose(xb.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reg", [L1(), L2(), L1L2(0.1, 0.1),
                                 OrthogonalRegularizer()], ids=repr)
def test_dtypes(reg):
    assert reg(np.ones((3, 3), dtype=np.float32)).dtype == "float32"
    assert reg(np.ones((3, 3), dtype=np.float64)).dtype == "float64"
    assert reg(np.ones((3, 3), dtype=np.int32)).dtype == "float32"


def test_base_regularizer_penalty_and_config():
    assert float(Regularizer()(np.ones(3))) == 0.0
    with pytest.raises(NotImplementedError, match="Regularizer must implement "
                                                  "get_config"):
        Regularizer().get_config()


def test_defaults_are_keras():
    assert L1().get_config() == {"l1": 0.01}
    assert L2().get_config() == {"l2": 0.01}
    assert L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert L1(None).l1 == 0.01 and L1L2(None, None).l2 == 0.0
    assert OrthogonalRegularizer().get_config() == {"factor": 0.01, "mode": "rows"}


@pytest.mark.parametrize("make,message", [
    (lambda: L1(-0.1), r"L1: l1 must be a non-negative finite float, received "
                       r"l1=-0.1"),
    (lambda: L2(float("nan")), r"L2: l2 must be a non-negative"),
    (lambda: L1L2(l2=float("inf")), r"L1L2: l2 must be"),
    (lambda: L2("0.1"), r"received l2='0.1'"),
    (lambda: OrthogonalRegularizer(-1.0), r"OrthogonalRegularizer: factor"),
    (lambda: OrthogonalRegularizer(mode="diag"), r"mode must be 'rows' or "
                                                 r"'columns', received mode='diag'"),
])
def test_bad_arguments_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_orthogonal_needs_a_matrix():
    with pytest.raises(ValueError, match=r"OrthogonalRegularizer needs a 2-D "
                                         r"input, received shape \(2, 2, 2\)"):
        OrthogonalRegularizer()(np.ones((2, 2, 2)))


@pytest.mark.parametrize("name,config", [
    ("l1", {"l1": 0.01}), ("L1", {"l1": 0.01}), ("l2", {"l2": 0.01}),
    ("L2", {"l2": 0.01}), ("l1_l2", {"l1": 0.01, "l2": 0.01}),
    ("L1L2", {"l1": 0.0, "l2": 0.0}), ("l1l2", {"l1": 0.0, "l2": 0.0}),
    ("orthogonal_regularizer", {"factor": 0.01, "mode": "rows"}),
    ("OrthogonalRegularizer", {"factor": 0.01, "mode": "rows"}),
])
def test_get_by_name(name, config):
    reg = regularizers.get(name)
    assert reg.get_config() == config
    assert regularizers.get(name) is not reg


def test_get_passes_instances_classes_callables_and_none():
    reg = L2(0.5)
    assert regularizers.get(reg) is reg
    assert regularizers.get(L1).get_config() == {"l1": 0.01}
    assert regularizers.get(None) is None

    def penalty(x):
        return baro.ops.sum(x)

    assert regularizers.get(penalty) is penalty
    assert regularizers.l1_l2 is L1L2 and regularizers.l2 is L2


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown regularizer 'l3'.*l1, l1_l2"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        regularizers.get(0.01)


@pytest.mark.parametrize("reg", [L1(0.2), L2(0.3), L1L2(0.1, 0.2),
                                 OrthogonalRegularizer(0.4, "columns")], ids=repr)
def test_config_round_trips_through_json(reg, rng):
    saved = json.loads(json.dumps(regularizers.serialize(reg)))
    rebuilt = regularizers.deserialize(saved)
    assert type(rebuilt) is type(reg)
    assert rebuilt.get_config() == reg.get_config()
    x = rng.standard_normal((3, 4))
    assert float(rebuilt(x)) == float(reg(x))
    assert baro.saving.deserialize(saved).get_config() == reg.get_config()
