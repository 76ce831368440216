"""Cross-entropies, KL divergence and Poisson: NumPy formulas, Keras's documented
values, PyTorch parity, gradients, extreme inputs and error messages."""

import numpy as np
import pytest

import baro
from baro import losses, ops
from baro.testing import assert_allclose, gradcheck

EPS = 1e-7


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _np_bce(y, p, smoothing=0.0):
    y = y * (1 - smoothing) + 0.5 * smoothing
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)), -1)


def _np_cce(y, p, smoothing=0.0, axis=-1):
    y = y * (1 - smoothing) + smoothing / y.shape[axis]
    p = np.clip(p / p.sum(axis, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y * np.log(p), axis)


def _np_focal(y, p, gamma=2.0, alpha=0.25, balance=False):
    bce = -(y * np.log(np.clip(p, EPS, 1 - EPS))
            + (1 - y) * np.log(np.clip(1 - p, EPS, 1 - EPS)))
    p_t = y * p + (1 - y) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if balance:
        focal = (y * alpha + (1 - y) * (1 - alpha)) * focal
    return focal.mean(-1)


@pytest.fixture
def binary(rng):
    y = (rng.uniform(size=(6, 4)) > 0.5).astype(np.float32)
    z = rng.standard_normal((6, 4)).astype(np.float32) * 3
    return y, z


@pytest.fixture
def categorical(rng):
    labels = rng.integers(0, 5, size=6)
    z = rng.standard_normal((6, 5)).astype(np.float32) * 2
    return labels, np.eye(5, dtype=np.float32)[labels], z


def test_binary_crossentropy_matches_numpy_with_and_without_smoothing(binary):
    y, z = binary
    p = _sigmoid(z)
    assert_allclose(losses.binary_crossentropy(y, p), _np_bce(y, p), rtol=1e-5)
    out = losses.binary_crossentropy(y, p, label_smoothing=0.2)
    assert_allclose(out, _np_bce(y, p, 0.2), rtol=1e-5)
    assert out.dtype == np.float32


def test_binary_crossentropy_from_logits_agrees_with_probabilities(binary):
    y, z = binary
    for smoothing in (0.0, 0.1):
        logits = losses.binary_crossentropy(y, z, True, smoothing)
        probs = losses.binary_crossentropy(y, _sigmoid(z.astype(np.float64)),
                                           False, smoothing)
        assert_allclose(logits, probs, rtol=1e-5, atol=1e-6)


def test_binary_crossentropy_keras_documented_values():
    y_true = [[0, 1], [0, 0]]
    y_pred = [[-18.6, 0.51], [2.94, -12.8]]
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert_allclose(bce(y_true, y_pred), 0.8654, atol=1e-4)
    assert_allclose(bce(y_true, y_pred, sample_weight=[0.8, 0.2]), 0.243, atol=1e-3)
    assert_allclose(losses.BinaryCrossentropy(from_logits=True, reduction="sum")(
        y_true, y_pred), 1.730, atol=1e-3)
    none = losses.BinaryCrossentropy(from_logits=True, reduction=None)
    assert_allclose(none(y_true, y_pred), [0.235, 1.496], atol=1e-3)
    assert_allclose(losses.binary_crossentropy(y_true, [[0.6, 0.4], [0.4, 0.6]]),
                    [0.916, 0.714], atol=1e-3)


@pytest.mark.parametrize("gamma, balance, reduction, sample_weight, expected", [
    (3.0, False, "sum_over_batch_size", None, 0.647),
    (3.0, True, "sum_over_batch_size", None, 0.482),
    (3.0, False, "sum_over_batch_size", [0.8, 0.2], 0.133),
    (3.0, True, "sum_over_batch_size", [0.8, 0.2], 0.097),
    (4.0, False, "sum", None, 1.222),
    (4.0, True, "sum", None, 0.914),
    (5.0, False, None, None, [0.0017, 1.1561]),
    (5.0, True, None, None, [0.0004, 0.8670]),
])
def test_binary_focal_crossentropy_keras_documented_values(
        gamma, balance, reduction, sample_weight, expected):
    loss = losses.BinaryFocalCrossentropy(apply_class_balancing=balance, gamma=gamma,
                                          from_logits=True, reduction=reduction)
    out = loss([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]],
               sample_weight=sample_weight)
    assert_allclose(out, np.asarray(expected, np.float32).reshape(out.shape),
                    atol=1e-3)


def test_binary_focal_crossentropy_matches_numpy_and_reduces_to_bce(binary):
    y, z = binary
    p = _sigmoid(z.astype(np.float64))
    out = losses.binary_focal_crossentropy(y, p, apply_class_balancing=True,
                                           alpha=0.4, gamma=1.5)
    assert_allclose(out, _np_focal(y, p, 1.5, 0.4, True), rtol=1e-10)
    assert_allclose(losses.binary_focal_crossentropy(y, p, gamma=0.0),
                    losses.binary_crossentropy(y, p), rtol=1e-12)
    logits = losses.binary_focal_crossentropy(y, z.astype(np.float64),
                                              from_logits=True)
    assert_allclose(logits, _np_focal(y, p), rtol=1e-10)


def test_categorical_crossentropy_keras_documented_values():
    y_true = [[0, 1, 0], [0, 0, 1]]
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    assert_allclose(losses.CategoricalCrossentropy()(y_true, y_pred), 1.177,
                    atol=1e-3)
    assert_allclose(losses.CategoricalCrossentropy()(
        y_true, y_pred, sample_weight=np.array([0.3, 0.7])), 0.814, atol=1e-3)
    assert_allclose(losses.CategoricalCrossentropy(reduction="sum")(y_true, y_pred),
                    2.354, atol=1e-3)
    assert_allclose(losses.categorical_crossentropy(y_true, y_pred),
                    [0.0513, 2.303], atol=1e-3)


def test_categorical_crossentropy_matches_numpy_on_any_axis(categorical, rng):
    _, one_hot, z = categorical
    p = _softmax(z)
    assert_allclose(losses.categorical_crossentropy(one_hot, p), _np_cce(one_hot, p),
                    rtol=1e-5)
    out = losses.categorical_crossentropy(one_hot, p, label_smoothing=0.1)
    assert_allclose(out, _np_cce(one_hot, p, 0.1), rtol=1e-5)
    # Unnormalized probabilities are renormalized, as in Keras.
    assert_allclose(losses.categorical_crossentropy(one_hot, 3 * p),
                    _np_cce(one_hot, p), rtol=1e-5)
    # Classes on axis 1 of a (batch, classes, steps) tensor.
    y3 = np.moveaxis(np.eye(4)[rng.integers(0, 4, (2, 3))], -1, 1)
    p3 = _softmax(rng.standard_normal((2, 4, 3)), axis=1)
    assert_allclose(losses.categorical_crossentropy(y3, p3, axis=1),
                    _np_cce(y3, p3, axis=1), rtol=1e-10)
    smoothed = losses.categorical_crossentropy(y3, p3, label_smoothing=0.2, axis=1)
    assert_allclose(smoothed, _np_cce(y3, p3, 0.2, axis=1), rtol=1e-10)


def test_categorical_from_logits_agrees_with_softmax_probabilities(categorical):
    labels, one_hot, z = categorical
    z64 = z.astype(np.float64)
    for smoothing in (0.0, 0.3):
        logits = losses.categorical_crossentropy(one_hot, z64, True, smoothing)
        probs = losses.categorical_crossentropy(one_hot, ops.softmax(z64), False,
                                                smoothing)
        assert_allclose(logits, probs, rtol=1e-9)
    sparse = losses.sparse_categorical_crossentropy(labels, z64, from_logits=True)
    assert_allclose(sparse, losses.categorical_crossentropy(one_hot, z64, True),
                    rtol=1e-12)
    sparse_probs = losses.sparse_categorical_crossentropy(labels, _softmax(z64))
    assert_allclose(sparse_probs, sparse, rtol=1e-9)


def test_sparse_categorical_crossentropy_keras_values_and_label_shapes():
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    for labels in ([1, 2], [[1], [2]], np.array([1.0, 2.0])):
        assert_allclose(losses.sparse_categorical_crossentropy(labels, y_pred),
                        [0.0513, 2.303], atol=1e-3)
    scce = losses.SparseCategoricalCrossentropy()
    assert_allclose(scce([1, 2], y_pred), 1.177, atol=1e-3)
    assert_allclose(scce([1, 2], y_pred, sample_weight=[0.3, 0.7]), 0.814,
                    atol=1e-3)


def test_ignore_class_zeroes_and_excludes_samples_from_the_mean():
    y_pred = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]],
                      np.float32)
    labels = np.array([1, 255, 2])
    per_sample = losses.sparse_categorical_crossentropy(labels, y_pred,
                                                        ignore_class=255)
    assert_allclose(per_sample, [-np.log(0.95), 0.0, -np.log(0.6)], rtol=1e-6)
    mean = losses.SparseCategoricalCrossentropy(ignore_class=255)(labels, y_pred)
    assert_allclose(mean, (-np.log(0.95) - np.log(0.6)) / 2, rtol=1e-6)
    summed = losses.SparseCategoricalCrossentropy(ignore_class=255,
                                                  reduction="sum")(labels, y_pred)
    assert_allclose(summed, -np.log(0.95) - np.log(0.6), rtol=1e-6)


def test_kl_divergence_and_poisson_match_numpy(rng):
    y = _softmax(rng.standard_normal((4, 5)))
    p = _softmax(rng.standard_normal((4, 5)))
    assert_allclose(losses.kl_divergence(y, p), np.sum(y * np.log(y / p), -1),
                    rtol=1e-10)
    assert_allclose(losses.kl_divergence([[1.0, 0.0]], [[0.5, 0.5]]),
                    [np.log(2.0) + EPS * np.log(EPS / 0.5)], rtol=1e-5)
    counts = rng.poisson(2.0, (4, 5)).astype(np.float64)
    rates = rng.uniform(0.1, 4.0, (4, 5))
    assert_allclose(losses.poisson(counts, rates),
                    np.mean(rates - counts * np.log(rates + EPS), -1), rtol=1e-12)


GRADIENT_CASES = {
    "bce": lambda y, p, z: losses.binary_crossentropy(y, p),
    "bce_smoothed": lambda y, p, z: losses.binary_crossentropy(y, p,
                                                              label_smoothing=0.2),
    "bce_logits": lambda y, p, z: losses.binary_crossentropy(y, z, from_logits=True),
    "focal": lambda y, p, z: losses.binary_focal_crossentropy(y, p, True, gamma=2.5),
    "focal_logits": lambda y, p, z: losses.binary_focal_crossentropy(
        y, z, from_logits=True),
    "cce": lambda y, p, z: losses.categorical_crossentropy(y, p),
    "cce_logits": lambda y, p, z: losses.categorical_crossentropy(
        y, z, from_logits=True, label_smoothing=0.1),
    "scce": lambda y, p, z: losses.sparse_categorical_crossentropy(
        np.argmax(y, -1), p),
    "scce_logits": lambda y, p, z: losses.sparse_categorical_crossentropy(
        np.argmax(y, -1), z, from_logits=True),
    "kld": lambda y, p, z: losses.kl_divergence(y * 0.8 + 0.05, p),
    "poisson": lambda y, p, z: losses.poisson(y * 3, p),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradient_matches_finite_differences(name, rng):
    y = np.eye(4)[rng.integers(0, 4, 3)]
    z = rng.standard_normal((3, 4))
    p = rng.uniform(0.1, 0.9, (3, 4))
    fn = GRADIENT_CASES[name]
    gradcheck(lambda pred: fn(y, pred, pred), p if "logits" not in name else z)


def test_gradient_with_respect_to_soft_labels():
    z = np.array([[0.3, -1.0, 2.0]])
    y = np.array([[0.2, 0.3, 0.5]])
    gradcheck(lambda t: losses.categorical_crossentropy(t, z, from_logits=True), y)
    gradcheck(lambda t: losses.binary_crossentropy(t, z, from_logits=True), y)


def test_saturated_predictions_stay_finite_with_finite_gradients():
    y = np.array([[1.0, 0.0, 0.0]], np.float32)
    p = baro.Tensor(np.array([[0.0, 1.0, 0.0]], np.float32), requires_grad=True)
    for fn in (losses.binary_crossentropy, losses.categorical_crossentropy,
               losses.binary_focal_crossentropy, losses.kl_divergence):
        out = fn(y, p).sum()
        out.backward()
        assert np.isfinite(out.item()) and np.isfinite(p.grad.numpy()).all()
        p.zero_grad()
    worst = losses.sparse_categorical_crossentropy([0], p)
    assert_allclose(worst, [-np.log(np.float32(EPS))], rtol=1e-5)
    huge = np.array([[1e4, -1e4, 0.0], [-3e4, 2e4, 1e4]], np.float32)
    onehot = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
    for fn in (losses.binary_crossentropy, losses.categorical_crossentropy,
               losses.binary_focal_crossentropy):
        assert np.isfinite(fn(onehot, huge, from_logits=True).numpy()).all()
    assert np.isfinite(losses.sparse_categorical_crossentropy(
        [1, 0], huge, from_logits=True).numpy()).all()


@pytest.mark.parametrize("labels", [[0, 1, 2], [[0], [1], [2]]])
def test_integer_labels_for_categorical_crossentropy_raise_with_the_fix(labels):
    probs = np.full((3, 4), 0.25, np.float32)
    with pytest.raises(ValueError) as info:
        losses.categorical_crossentropy(labels, probs)
    message = str(info.value)
    assert "categorical_crossentropy" in message and "(3, 4)" in message
    assert "sparse_categorical_crossentropy" in message
    assert "to_categorical" in message
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(labels, probs)


def test_shape_errors_name_the_loss_and_both_shapes():
    with pytest.raises(ValueError, match=r"categorical_crossentropy: y_true has "
                       r"shape \(2, 3\) and y_pred has shape \(2, 4\)"):
        losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"binary_crossentropy: .*\(4,\).*\(4, 2\)"):
        losses.binary_crossentropy(np.ones(4), np.ones((4, 2)) / 2)
    with pytest.raises(ValueError, match="look one-hot: use categorical"):
        losses.sparse_categorical_crossentropy(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="must hold integer class ids"):
        losses.sparse_categorical_crossentropy([0.5, 1.0], np.eye(2))


def test_out_of_range_sparse_labels_raise():
    probs = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"lie in \[0, 3\).*from 0 to 3"):
        losses.sparse_categorical_crossentropy([0, 3], probs)
    with pytest.raises(ValueError, match=r"from -1 to 1"):
        losses.SparseCategoricalCrossentropy(from_logits=True)([-1, 1], probs)
    # The ignored label may be out of range.
    losses.sparse_categorical_crossentropy([-1, 1], probs, ignore_class=-1)


def test_constructor_validation():
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="alpha must be in"):
        losses.BinaryFocalCrossentropy(alpha=2.0)
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        losses.BinaryFocalCrossentropy(gamma=-1.0)
    with pytest.raises(ValueError, match="axis must be an int"):
        losses.categorical_crossentropy([[1.0]], [[1.0]], axis=True)
    with pytest.warns(UserWarning, match="single class"):
        losses.categorical_crossentropy([[1.0]], [[1.0]])


def test_class_configs_carry_their_arguments():
    config = losses.BinaryFocalCrossentropy(alpha=0.3, gamma=1.0).get_config()
    assert config == {"name": "binary_focal_crossentropy",
                      "reduction": "sum_over_batch_size",
                      "apply_class_balancing": False, "alpha": 0.3, "gamma": 1.0,
                      "from_logits": False, "label_smoothing": 0.0, "axis": -1}
    config = losses.SparseCategoricalCrossentropy(ignore_class=-1).get_config()
    assert config["ignore_class"] == -1 and config["from_logits"] is False


def _torch():
    return pytest.importorskip("torch", exc_type=ImportError)


def test_binary_crossentropy_matches_torch(binary):
    torch = _torch()
    y, z = (a.astype(np.float64) for a in binary)
    t_y, t_z = torch.tensor(y), torch.tensor(z)
    F = torch.nn.functional
    expected = F.binary_cross_entropy_with_logits(t_z, t_y, reduction="none")
    assert_allclose(losses.binary_crossentropy(y, z, from_logits=True),
                    expected.mean(-1).numpy(), rtol=1e-12)
    expected = F.binary_cross_entropy(torch.sigmoid(t_z), t_y, reduction="none")
    assert_allclose(losses.binary_crossentropy(y, _sigmoid(z)),
                    expected.mean(-1).numpy(), rtol=1e-6)


def test_cross_entropy_matches_torch_with_smoothing_and_ignore_index(categorical):
    torch = _torch()
    F = torch.nn.functional
    labels, one_hot, z = categorical
    z = z.astype(np.float64)
    t_z, t_labels = torch.tensor(z), torch.tensor(labels)
    expected = F.cross_entropy(t_z, t_labels, reduction="none", label_smoothing=0.2)
    assert_allclose(losses.categorical_crossentropy(one_hot, z, True, 0.2),
                    expected.numpy(), rtol=1e-12)
    masked = labels.copy()
    masked[::2] = -100
    expected = F.cross_entropy(t_z, torch.tensor(masked), ignore_index=-100)
    ours = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-100)
    assert_allclose(ours(masked, z), expected.numpy(), rtol=1e-12)


def test_kl_divergence_and_poisson_match_torch(rng):
    torch = _torch()
    F = torch.nn.functional
    y = _softmax(rng.standard_normal((3, 4)))
    p = _softmax(rng.standard_normal((3, 4)))
    expected = F.kl_div(torch.tensor(np.log(p)), torch.tensor(y), reduction="none")
    assert_allclose(losses.kl_divergence(y, p), expected.sum(-1).numpy(), rtol=1e-10)
    counts = rng.poisson(2.0, (3, 4)).astype(np.float64)
    rates = rng.uniform(0.1, 4.0, (3, 4))
    expected = F.poisson_nll_loss(torch.tensor(rates), torch.tensor(counts),
                                  log_input=False, eps=EPS, reduction="none")
    assert_allclose(losses.poisson(counts, rates), expected.mean(-1).numpy(),
                    rtol=1e-12)
