"""check_gradients: right gradients pass, a wrong backward is caught by name."""

import numpy as np
import pytest

from baro import ops
from baro.core import Function
from baro.keras import Input, Sequential, layers
from baro.testing import check_gradients


class Cube(Function):
    """y = x**3, dy/dx = 3 x**2 (right)."""

    def forward(self, x):
        self.saved = (x,)
        return x ** 3

    def backward(self, grad_out):
        (x,) = self.saved
        return grad_out * 3 * x ** 2


class WrongCube(Cube):
    """y = x**3 with a deliberately wrong derivative: 2 x**2 instead of 3 x**2."""

    def backward(self, grad_out):
        (x,) = self.saved
        return grad_out * 2 * x ** 2


class CubicScale(layers.Layer):
    """y = x * w**3 with a learned vector w: a user's custom layer."""

    def __init__(self, function=Cube, **kwargs):
        super().__init__(**kwargs)
        self.function = function

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), name="scale",
                                     initializer="ones")
        self.offset = self.add_weight(shape=(input_shape[-1],), name="offset",
                                      initializer="zeros")

    def call(self, inputs):
        return inputs * self.function().apply(self.scale) + self.offset


def _x(shape=(4, 3)):
    return np.random.default_rng(0).normal(size=shape).astype("float32")


def test_a_correct_custom_layer_passes():
    layer = CubicScale(name="cubic")
    report = check_gradients(layer, _x())
    assert report.passed, str(report)
    assert [c.name for c in report.checks] == ["input", "cubic/scale",
                                               "cubic/offset"]
    assert report["cubic/scale"].max_abs_error < 1e-6
    report.raise_if_failed()


def test_a_wrong_backward_is_reported_with_the_weights_name():
    layer = CubicScale(function=WrongCube, name="cubic")
    report = check_gradients(layer, _x())
    assert not report.passed
    assert [c.name for c in report.failures] == ["cubic/scale"]
    wrong = report["cubic/scale"]
    # w = 1: backprop says 2 * sum(r * x), finite differences 3 * sum(r * x).
    assert wrong.analytic == pytest.approx(2 / 3 * wrong.numeric, rel=1e-6)
    assert wrong.max_rel_error == pytest.approx(1 / 3, rel=1e-6)
    assert "cubic/scale" in str(report) and "WRONG" in str(report)
    with pytest.raises(AssertionError, match="cubic/scale"):
        report.raise_if_failed()


def test_a_wrong_layer_inside_a_model_is_found_with_a_loss():
    model = Sequential([Input((3,)), layers.Dense(4, activation="tanh", name="a"),
                        CubicScale(function=WrongCube, name="cubic"),
                        layers.Dense(2, activation="softmax", name="b")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    report = check_gradients(model, _x(), np.array([0, 1, 1, 0]))
    assert [c.name for c in report.failures] == ["cubic/scale"]
    # Everything below the wrong layer gets a wrong gradient too, but here the
    # error enters through w only: backprop to the input of CubicScale is right.
    assert report["a/kernel"].passed and report["b/kernel"].passed


def test_the_model_is_left_unchanged_in_float32():
    model = Sequential([Input((3,)), layers.Dense(4), layers.BatchNormalization()])
    before = [w.copy() for w in model.get_weights()]
    report = check_gradients(model, _x(), training=True)
    assert report.passed, str(report)
    for a, b in zip(before, model.get_weights(), strict=True):
        assert b.dtype == np.float32 and np.array_equal(a, b)
    assert all(layer.dtype == "float32" for layer in model.layers)


def test_large_weights_are_sampled_and_loss_functions_accepted():
    report = check_gradients(layers.Dense(40, name="wide"), _x((5, 30)),
                             max_elements=16,
                             loss_fn=lambda out: ops.sum(out * out))
    assert report.passed, str(report)
    assert report["wide/kernel"].checked == 16 and report["input"].checked == 16


def test_y_without_a_loss_is_refused():
    with pytest.raises(ValueError, match="loss_fn"):
        check_gradients(layers.Dense(2), _x(), np.zeros((4, 2)))
