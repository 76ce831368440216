"""The detection rules on hand-made numbers: each fires on its condition only."""

import math

import numpy as np
import pytest

from baro.diagnostics import findings as rules
from baro.diagnostics.findings import Finding, loss_key
from baro.diagnostics.statistics import InspectionReport, LayerStats
from baro.losses import SparseCategoricalCrossentropy


def report(grad_rms, activation="relu", dead=None, saturated=None, loss=1.0):
    rows = []
    for i, rms in enumerate(grad_rms):
        norm = None if rms is None else rms * 10
        rows.append(LayerStats(f"d{i}", "Dense", activation, 100, 1.0, norm, rms,
                               norm, 0.0, 1.0, dead, saturated, has_kernel=True))
    return InspectionReport(rows, loss, None, 32)


@pytest.mark.parametrize("name, key", [
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
    ("BinaryCrossentropy", "binary_crossentropy"),
    (SparseCategoricalCrossentropy(), "sparse_categorical_crossentropy"),
    (lambda y, p: y, "<lambda>"),
])
def test_loss_key(name, key):
    assert loss_key(name) == key


def test_finding_reads_as_one_line():
    finding = Finding("overfitting", "warning", "Val loss rises.", epoch=4,
                      data={"x": 1})
    assert str(finding) == "[warning] overfitting (epoch 5): Val loss rises."
    assert finding == Finding("overfitting", "warning", "Val loss rises.", 4)


def test_gradient_rules():
    assert rules.gradient_problems(report([1e-2, 1e-2, 1e-2])) == []
    vanishing = rules.gradient_problems(report([1e-7, 1e-4, 1e-2], "sigmoid"))
    assert [f.code for f in vanishing] == ["vanishing_gradients"]
    assert vanishing[0].data["ratio"] == pytest.approx(1e-5)
    assert "3 sigmoid/tanh layers" in vanishing[0].message
    assert [f.code for f in rules.gradient_problems(report([1e2, 1.0, 1e-2]))] == \
        ["exploding_gradients"]
    nan = rules.gradient_problems(report([math.nan, 1.0, 1.0]))
    assert nan[0].severity == "error" and nan[0].data["layers"] == ["d0"]
    grown = rules.gradient_problems(report([10.0, 10.0]), initial=report([1e-3,
                                                                         1e-3]))
    assert grown[0].data["growth"] == pytest.approx(1e4)
    # Two layers are too few to speak of depth.
    assert rules.gradient_problems(report([1e-9, 1.0])) == []


def test_activation_rules():
    assert rules.activation_problems(report([1.0] * 3, dead=0.2)) == []
    dead = rules.activation_problems(report([1.0] * 3, dead=0.9))
    assert dead[0].code == "dead_relus" and "90%" in dead[0].message
    assert "also in d1, d2" in dead[0].message
    saturated = rules.activation_problems(report([1.0] * 3, "tanh", saturated=0.7))
    assert saturated[0].code == "saturated_units"
    assert list(saturated[0].data["layers"]) == ["d0", "d1"]  # not the output


def test_learning_rate_too_high_rules():
    assert rules.learning_rate_too_high([1.0, 0.8, 0.7], [1.1, 0.9, 0.8]) is None
    nan = rules.learning_rate_too_high([2.0, math.nan], [1.0, 5.0, math.nan])
    assert nan.severity == "error" and "epoch 2" in nan.message
    rose = rules.learning_rate_too_high([1.0, 1.0], [1.0, 2.0, 1.0])
    assert rose.data == {"initial": 1.0, "peak": 2.0}
    burst = rules.learning_rate_too_high([4e9, 1.1], [1.1, 1.1])
    assert burst.data == {"initial": 1.1, "peak": 4e9}
    # Dropout can make training losses exceed the probe's, but not threefold.
    assert rules.learning_rate_too_high([2.0, 1.5], [1.0, 0.9]) is None
    swings = rules.learning_rate_too_high([1.0, 1.5, 0.9, 1.4], [1.0])
    assert "oscillates" in swings.message


def test_learning_rate_too_low_needs_patience_and_a_live_gradient():
    flat, grads = [1.0, 0.999, 0.998], [1.0, 0.9, 0.9]
    assert rules.learning_rate_too_low(flat, grads, 2, patience=3) is None
    low = rules.learning_rate_too_low(flat, grads, 3, patience=3, learning_rate=1e-6)
    assert low.code == "learning_rate_too_low" and "(1e-06)" in low.message
    assert rules.learning_rate_too_low(flat, [1.0, 0.1, 0.1], 3, 3) is None
    assert rules.learning_rate_too_low([1.0, 0.5], grads, 3, 3) is None


def test_underfitting_and_overfitting_rules():
    stalled = [0.9, 0.8, 0.7, 0.7, 0.7, 0.7]
    assert rules.underfitting(stalled, [0.9, 0.7], patience=3).code == "underfitting"
    assert rules.underfitting(stalled, [0.9, 0.3], patience=3) is None  # learned
    assert rules.underfitting([0.9, 0.8, 0.7, 0.6], [0.9, 0.6], patience=3) is None
    train = [1.0, 0.8, 0.6, 0.4, 0.3, 0.2]
    assert rules.overfitting(train, [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], 3) is None
    found = rules.overfitting(train, [1.0, 0.9, 0.95, 1.0, 1.1, 1.2], 3)
    assert found.data["best_epoch"] == 1 and found.data["val_loss"] == 1.2
    assert rules.overfitting(train, [1.0, 0.9, 0.95, 1.0, 1.1], 4) is None


def predictions(classes, n=30):
    return np.eye(3)[np.asarray(classes * (n // len(classes)))]


@pytest.mark.parametrize("loss, y, code", [
    ("sparse_categorical_crossentropy", np.eye(3)[[0, 1, 2, 1]], "label_format"),
    ("sparse_categorical_crossentropy", np.array([0, 1, 3, 1]), "labels_out"),
    ("sparse_categorical_crossentropy", np.array([0.5, 1, 2, 1]), "labels_out"),
    ("sparse_categorical_crossentropy", np.array([np.nan, 1, 2, 1]), "labels_out"),
    ("categorical_crossentropy", np.array([0, 1, 2, 1]), "label_format"),
    ("categorical_crossentropy", np.array([[0, 2, 0]] * 4), "labels_out"),
    ("binary_crossentropy", np.array([1, 2, 2, 1]), "labels_out"),
    ("mse", np.array([[10.0], [300.0]]), "labels_out"),
])
def test_label_rules(loss, y, code):
    outputs = np.full((len(y), 3), 1 / 3) if "categorical" in loss else \
        np.full((len(y), 1), 0.5)
    found = rules.label_problems(y, outputs, loss, "sigmoid")
    assert [f.code[:len(code)] for f in found] == [code]
    assert found[0].severity == "error"


def test_good_labels_pass():
    outputs = np.full((4, 3), 1 / 3)
    assert rules.label_problems(np.array([0, 1, 2, 1]), outputs,
                                "sparse_categorical_crossentropy", "softmax") == []
    assert rules.label_problems(np.eye(3)[[0, 1, 2, 1]], outputs,
                                "categorical_crossentropy", "softmax") == []
    assert rules.label_problems(np.array([[-3.0], [7.0]]), np.zeros((2, 1)), "mse",
                                None) == []


def test_class_never_predicted_rule():
    y = np.array([0, 1, 2] * 10)
    loss = "sparse_categorical_crossentropy"
    assert rules.class_never_predicted(predictions([0, 1, 2]), y, loss) is None
    found = rules.class_never_predicted(predictions([0, 1]), y, loss)
    assert found.data["classes"] == [2]
    one_hot = rules.class_never_predicted(predictions([0, 1]), np.eye(3)[y],
                                          "categorical_crossentropy")
    assert one_hot.data["classes"] == [2]
    assert rules.class_never_predicted(predictions([0, 1]), y, "mse") is None
