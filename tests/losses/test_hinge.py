"""Hinge losses: hand-computed values, label conversion, gradients, classes."""

import numpy as np
import pytest

from baro import losses
from baro.testing import assert_allclose, gradcheck


def test_hinge_by_hand_with_signed_and_binary_labels():
    scores = [[0.3, -0.7, 1.5], [-2.0, 0.1, 0.0]]
    signed = [[1.0, -1.0, 1.0], [1.0, 1.0, -1.0]]
    # max(1 - y s, 0): [0.7, 0.3, 0] and [3, 0.9, 1]
    expected = [1.0 / 3, 4.9 / 3]
    assert_allclose(losses.hinge(signed, scores), expected, rtol=1e-6)
    binary = [[1, 0, 1], [1, 1, 0]]
    assert_allclose(losses.hinge(binary, scores), expected, rtol=1e-6)
    squared = [(0.49 + 0.09) / 3, (9 + 0.81 + 1) / 3]
    assert_allclose(losses.squared_hinge(binary, scores), squared, rtol=1e-6)


def test_non_binary_labels_are_used_as_given():
    # 0.5 is neither 0 nor 1, so nothing is converted: max(1 - y s, 0).
    out = losses.hinge([[0.5, 0.0]], [[1.0, 2.0]])
    assert_allclose(out, [(0.5 + 1.0) / 2])


def test_categorical_hinge_by_hand():
    y_true = [[0, 1, 0], [1, 0, 0]]
    y_pred = [[0.2, 0.9, 0.4], [0.1, 0.3, 0.6]]
    # pos 0.9, neg 0.4 -> max(0.5, 0) = 0.5; pos 0.1, neg 0.6 -> 1.5
    assert_allclose(losses.categorical_hinge(y_true, y_pred), [0.5, 1.5], rtol=1e-6)
    mean = losses.CategoricalHinge()(y_true, y_pred, sample_weight=[1.0, 0.0])
    assert_allclose(mean, 0.25, rtol=1e-6)


@pytest.mark.parametrize("fn", [losses.hinge, losses.squared_hinge,
                                losses.categorical_hinge], ids=lambda f: f.__name__)
def test_gradient_matches_finite_differences_away_from_the_kink(fn, rng):
    y = np.eye(4)[rng.integers(0, 4, 3)]
    scores = rng.uniform(-0.8, 0.8, (3, 4))
    gradcheck(lambda s: fn(y, s), scores)


def test_classes_reduce_and_round_trip():
    y = [[1.0], [-1.0]]
    scores = [[0.5], [0.5]]
    assert float(losses.Hinge()(y, scores)) == 1.0
    assert float(losses.SquaredHinge(reduction="sum")(y, scores)) == 2.5
    for cls in (losses.Hinge, losses.SquaredHinge, losses.CategoricalHinge):
        loss = cls(name="h")
        assert cls.from_config(loss.get_config()).get_config() == loss.get_config()


def test_shape_mismatch_names_the_loss():
    with pytest.raises(ValueError, match=r"squared_hinge: y_true has shape \(2, 3\)"):
        losses.squared_hinge(np.ones((2, 3)), np.ones((2, 2)))
