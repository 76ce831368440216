"""Regression losses against NumPy formulas, PyTorch and float64 gradient checks."""

import numpy as np
import pytest

import baro
from baro import losses
from baro.testing import assert_allclose, gradcheck

EPS = 1e-7


def _np_mse(t, p):
    return np.mean((t - p) ** 2, -1)


def _np_mae(t, p):
    return np.mean(np.abs(t - p), -1)


def _np_mape(t, p):
    return 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), -1)


def _np_msle(t, p):
    first = np.log(np.maximum(p, EPS) + 1)
    second = np.log(np.maximum(t, EPS) + 1)
    return np.mean((first - second) ** 2, -1)


def _np_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2),
                   -1)


def _np_log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), -1)


def _np_cosine(t, p, axis=-1):
    def unit(x):
        return x / np.maximum(np.linalg.norm(x, axis=axis, keepdims=True), EPS)
    return -np.sum(unit(t) * unit(p), axis=axis)


CASES = [
    (losses.mean_squared_error, _np_mse),
    (losses.mean_absolute_error, _np_mae),
    (losses.mean_absolute_percentage_error, _np_mape),
    (losses.mean_squared_logarithmic_error, _np_msle),
    (losses.huber, _np_huber),
    (losses.log_cosh, _np_log_cosh),
    (losses.cosine_similarity, _np_cosine),
]
IDS = [fn.__name__ for fn, _ in CASES]


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4), (6, 1)])
@pytest.mark.parametrize("fn, reference", CASES, ids=IDS)
def test_forward_matches_numpy_and_keeps_float32(fn, reference, shape, rng):
    y_true = rng.uniform(0.1, 2.0, shape).astype(np.float32)
    y_pred = rng.uniform(-1.0, 3.0, shape).astype(np.float32)
    out = fn(y_true, y_pred)
    assert out.dtype == np.float32
    assert_allclose(out, reference(y_true, y_pred).astype(np.float32),
                    rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn, reference", CASES, ids=IDS)
def test_gradient_matches_finite_differences(fn, reference, rng):
    y_true = rng.uniform(0.5, 2.0, (3, 4))
    y_pred = rng.uniform(0.2, 3.0, (3, 4))
    gradcheck(lambda p: fn(y_true, p), y_pred)
    gradcheck(lambda t: fn(t, y_pred), y_true)


def test_huber_delta_switches_between_quadratic_and_linear():
    out = losses.huber([[0.0, 0.0, 0.0]], [[0.5, 2.0, -3.0]], delta=2.0)
    expected = (0.5 * 0.25 + 0.5 * 4 + (2 * 3 - 2)) / 3
    assert_allclose(out, [expected])
    # Keras's documented example: mean of [0.18, 0.13].
    keras = losses.Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    assert_allclose(keras, 0.155, atol=5e-4)


def test_log_cosh_matches_the_keras_example_and_is_stable():
    keras = losses.LogCosh()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    assert_allclose(keras, 0.108, atol=5e-4)
    big = losses.log_cosh([[0.0, 0.0]], [[1e4, -1e4]])
    assert_allclose(big, [1e4 - np.log(2.0)], rtol=1e-6)


def test_cosine_similarity_handles_axes_and_zero_vectors():
    y_true = [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    y_pred = [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [1.0, 2.0]]
    assert_allclose(losses.cosine_similarity(y_true, y_pred), [0.0, -1.0, 1.0, 0.0],
                    atol=1e-6)
    a = np.arange(1.0, 7.0).reshape(2, 3)
    b = a[::-1].copy()
    assert_allclose(losses.cosine_similarity(a, b, axis=0), _np_cosine(a, b, axis=0))
    zero = baro.Tensor(np.zeros((1, 3)), requires_grad=True)
    losses.cosine_similarity([[1.0, 2.0, 3.0]], zero).sum().backward()
    assert np.isfinite(zero.grad.numpy()).all()


def test_extreme_inputs_stay_finite():
    y_true = np.array([[0.0, -5.0, 1e6]], np.float32)
    y_pred = np.array([[1e6, -1e6, 0.0]], np.float32)
    for fn, _ in CASES:
        assert np.isfinite(fn(y_true, y_pred).numpy()).all(), fn.__name__


def test_rank_alignment_of_labels_and_predictions():
    out = losses.MeanSquaredError(reduction=None)([1.0, 2.0], [[0.0], [0.0]])
    assert_allclose(out, [1.0, 4.0])
    assert_allclose(losses.mean_absolute_error([1.0, 2.0], [[0.0], [0.0]]),
                    [1.0, 2.0])


def test_incompatible_shapes_name_the_loss_and_both_shapes():
    with pytest.raises(ValueError, match=r"huber: y_true has shape \(2, 3\) and "
                       r"y_pred has shape \(2, 4\)"):
        losses.huber(np.ones((2, 3)), np.ones((2, 4)))


def test_huber_rejects_negative_delta_and_saves_delta():
    with pytest.raises(ValueError, match="delta must be >= 0"):
        losses.Huber(delta=-1.0)
    assert losses.Huber(delta=0.3).get_config()["delta"] == 0.3
    assert losses.CosineSimilarity(axis=1).get_config()["axis"] == 1


def _torch_functional():
    torch = pytest.importorskip("torch", exc_type=ImportError)
    return torch, torch.nn.functional


@pytest.mark.parametrize("name", ["mse", "l1", "huber"])
def test_matches_torch(name, rng):
    torch, F = _torch_functional()
    y_true = rng.standard_normal((4, 5))
    y_pred = rng.standard_normal((4, 5))
    t, p = torch.tensor(y_true), torch.tensor(y_pred)
    ours, theirs = {
        "mse": (losses.mean_squared_error(y_true, y_pred),
                F.mse_loss(p, t, reduction="none")),
        "l1": (losses.mean_absolute_error(y_true, y_pred),
               F.l1_loss(p, t, reduction="none")),
        "huber": (losses.huber(y_true, y_pred, delta=0.8),
                  F.huber_loss(p, t, reduction="none", delta=0.8)),
    }[name]
    assert_allclose(ours, theirs.mean(-1).numpy(), rtol=1e-12)


def test_cosine_similarity_matches_torch(rng):
    torch, F = _torch_functional()
    a = rng.standard_normal((4, 5))
    b = rng.standard_normal((4, 5))
    expected = -F.cosine_similarity(torch.tensor(a), torch.tensor(b), dim=-1)
    assert_allclose(losses.cosine_similarity(a, b), expected.numpy(), rtol=1e-10)
