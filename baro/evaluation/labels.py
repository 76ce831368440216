"""Class labels from targets and model outputs, predictions and the confusion matrix.

Pure NumPy, shared by `evaluate_robustness` and `baro.plot`: targets may be
integer labels or one-hot rows; model outputs may be labels, one sigmoid
probability per sample, or one score per class.
"""

from __future__ import annotations

import numpy as np


def as_numpy(value) -> np.ndarray:
    """A NumPy array from an array-like or a baro Tensor (via `.numpy()`)."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


def true_labels(y, name: str = "y") -> np.ndarray:
    """Integer class labels (N,) from labels (N,) or (N, 1), or one-hot rows (N, C).

    Raises:
        ValueError: For other shapes, or labels that are not whole numbers.
    """
    y = as_numpy(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"{name}: expected integer labels (N,) or one-hot rows (N, classes), "
            f"received shape {y.shape}.")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError(
                f"{name}: labels must be whole numbers, received values such as "
                f"{y[np.isfinite(y) & (y != np.round(y))][:3].tolist() or 'nan'}.")
    elif y.dtype.kind not in "iub":
        raise ValueError(f"{name}: labels must be numbers, received dtype {y.dtype}.")
    return y.astype(np.int64)


def predicted_labels(outputs, name: str = "predictions") -> np.ndarray:
    """Predicted class labels (N,) from what a model returns.

    - (N, C) with C > 1: scores per class, the label is the argmax;
    - (N, 1), or (N,) with fractional values: a sigmoid probability, the label is
      1 where it is above 0.5;
    - (N,) of whole numbers: labels already.

    Raises:
        ValueError: For arrays of rank other than 1 or 2.

    Example:
        >>> import numpy as np
        >>> predicted_labels(np.array([[0.1, 0.9], [0.8, 0.2]]))
        array([1, 0])
        >>> predicted_labels(np.array([[0.7], [0.2]]))
        array([1, 0])
    """
    p = as_numpy(outputs)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1)
    if p.ndim == 2 and p.shape[1] == 1:
        return (p[:, 0] > 0.5).astype(np.int64)
    if p.ndim != 1:
        raise ValueError(
            f"{name}: expected labels (N,), probabilities (N, 1) or class scores "
            f"(N, classes), received shape {p.shape}.")
    if p.dtype.kind in "iub" or np.all(p == np.round(p)):
        return p.astype(np.int64)
    return (p > 0.5).astype(np.int64)


def predict_outputs(model, x, batch_size: int = 256) -> np.ndarray:
    """The outputs of `model` on `x` as one NumPy array.

    `model` is anything with Keras's `predict(x, batch_size=, verbose=)`, or a
    plain callable mapping a batch of inputs to outputs (called on batches of
    `batch_size`).

    Raises:
        TypeError: If `model` has no `predict` and is not callable.
        ValueError: If the model has several outputs.
    """
    if len(getattr(model, "outputs", None) or ()) > 1:
        raise ValueError(
            f"Model {getattr(model, 'name', '')!r} has {len(model.outputs)} outputs; "
            "evaluate one classifier output: build Model(model.inputs, "
            "model.outputs[i]).")
    if hasattr(model, "predict"):
        out = model.predict(x, batch_size=batch_size, verbose=0)
    elif callable(model):
        out = np.concatenate([
            np.atleast_1d(as_numpy(model(x[i:i + batch_size])))
            for i in range(0, len(x), batch_size)])
    else:
        raise TypeError(
            f"Expected a model (with a predict method) or a callable, received "
            f"{type(model).__name__}.")
    if isinstance(out, dict):
        raise ValueError(f"The model returned several outputs {sorted(out)}; "
                         "evaluate one classifier output.")
    return as_numpy(out)


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs, as `tf.math.confusion_matrix`.

    Row `i`, column `j` holds how many samples of class `i` were predicted as
    class `j`: rows are the real labels, columns the predictions, so the
    diagonal holds the correct predictions.

    Args:
        y_true: Integer labels (N,) or one-hot rows (N, C).
        y_pred: Predicted labels (N,), sigmoid probabilities (N, 1) or class
            scores (N, C) (see `predicted_labels`).
        num_classes: The number of classes; default one more than the largest
            label in either input.

    Returns:
        An int32 NumPy array of shape (num_classes, num_classes).

    Raises:
        ValueError: If the lengths differ, a label is negative or not below
            `num_classes`.

    Example:
        >>> confusion_matrix([1, 2, 4], [2, 2, 4])
        array([[0, 0, 0, 0, 0],
               [0, 0, 1, 0, 0],
               [0, 0, 1, 0, 0],
               [0, 0, 0, 0, 0],
               [0, 0, 0, 0, 1]], dtype=int32)
    """
    t = true_labels(y_true, "confusion_matrix: y_true")
    p = predicted_labels(y_pred, "confusion_matrix: y_pred")
    if len(t) != len(p):
        raise ValueError(
            f"confusion_matrix: y_true has {len(t)} labels but y_pred has {len(p)}; "
            "they must describe the same samples.")
    if len(t) and min(t.min(), p.min()) < 0:
        raise ValueError("confusion_matrix: labels must be >= 0, received "
                         f"{min(t.min(), p.min())}.")
    largest = int(max(t.max(), p.max())) if len(t) else -1
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(
            f"confusion_matrix: label {largest} does not fit num_classes="
            f"{num_classes} (labels run from 0 to num_classes - 1).")
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int32)


def accuracy(y_true, outputs) -> float:
    """The fraction of samples whose predicted label equals the true one."""
    t = true_labels(y_true)
    p = predicted_labels(outputs)
    return float(np.mean(t == p)) if len(t) else float("nan")
