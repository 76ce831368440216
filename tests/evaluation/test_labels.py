"""Labels from targets and outputs, and the confusion matrix, against hand counts."""

import numpy as np
import pytest

from baro.evaluation import (
    accuracy,
    confusion_matrix,
    predict_outputs,
    predicted_labels,
    true_labels,
)


def test_confusion_matrix_matches_a_hand_count():
    y_true = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 2, 2, 0, 2]
    # row = true class, column = predicted class
    expected = [[1, 1, 0],
                [0, 2, 1],
                [1, 0, 3]]
    cm = confusion_matrix(y_true, y_pred)
    assert cm.tolist() == expected
    assert cm.dtype == np.int32
    assert cm.sum() == len(y_true)
    assert np.trace(cm) == 6


def test_confusion_matrix_reads_one_hot_labels_and_class_scores():
    y_true = np.eye(3)[[0, 2, 1, 2]]
    scores = np.array([[0.8, 0.1, 0.1], [0.2, 0.1, 0.7], [0.6, 0.3, 0.1],
                       [0.1, 0.1, 0.8]])
    assert confusion_matrix(y_true, scores).tolist() == [[1, 0, 0], [1, 0, 0],
                                                         [0, 0, 2]]


def test_confusion_matrix_num_classes_pads_and_checks():
    assert confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match="num_classes=2"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        confusion_matrix([0, -1], [0, 1])
    with pytest.raises(ValueError, match="3 labels but y_pred has 2"):
        confusion_matrix([0, 1, 1], [0, 1])


def test_predicted_labels_reads_each_output_kind():
    assert predicted_labels(np.array([[0.2, 0.5, 0.3]])).tolist() == [1]
    assert predicted_labels(np.array([[0.51], [0.49]])).tolist() == [1, 0]
    assert predicted_labels(np.array([0.9, 0.1])).tolist() == [1, 0]
    assert predicted_labels(np.array([3, 0, 2])).tolist() == [3, 0, 2]
    assert predicted_labels(np.array([2.0, 1.0])).tolist() == [2, 1]
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\)"):
        predicted_labels(np.zeros((2, 2, 2)))


def test_true_labels_accepts_labels_and_one_hot_and_rejects_fractions():
    assert true_labels([[1], [0]]).tolist() == [1, 0]
    assert true_labels(np.eye(4)[[3, 1]]).tolist() == [3, 1]
    assert true_labels(np.array([1.0, 2.0])).dtype == np.int64
    with pytest.raises(ValueError, match="whole numbers"):
        true_labels(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"shape \(2, 1, 1\)"):
        true_labels(np.zeros((2, 1, 1)))


def test_predict_outputs_uses_predict_or_calls_in_batches():
    calls = []

    def model(batch):
        calls.append(len(batch))
        return batch.sum(axis=1)

    out = predict_outputs(model, np.ones((5, 2)), batch_size=2)
    assert out.tolist() == [2.0] * 5
    assert calls == [2, 2, 1]
    with pytest.raises(TypeError, match="int"):
        predict_outputs(3, np.ones((1, 2)))


def test_accuracy_is_the_fraction_right():
    assert accuracy([0, 1, 1, 0], np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4],
                                            [0.7, 0.3]])) == 0.75


def test_predict_outputs_refuses_a_model_with_several_outputs():
    from baro.keras import Input, Model, layers

    x = Input((3,))
    model = Model(x, [layers.Dense(2)(x), layers.Dense(1)(x)])
    with pytest.raises(ValueError, match="2 outputs"):
        predict_outputs(model, np.zeros((2, 3), "float32"))
