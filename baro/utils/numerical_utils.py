"""NumPy helpers users call on data: one-hot labels, normalization."""

from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes: int | None = None,
                   dtype="float32") -> np.ndarray:
    """One-hot encodes integer class labels (`keras.utils.to_categorical`).

    Args:
        x: Integer labels of any shape; a trailing axis of size 1 is dropped.
        num_classes: Number of classes (default: max label + 1).
        dtype: Output dtype (default float32; tf.keras 2 took `dtype=` too).

    Returns:
        Array of shape `x.shape + (num_classes,)` (float32 by default).

    Raises:
        ValueError: For negative or out-of-range labels, or non-integer values.

    Example:
        >>> from baro.utils import to_categorical
        >>> to_categorical([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = np.asarray(x)
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("to_categorical expects integer class labels; received "
                             "non-integer values (already one-hot or probabilities?).")
        labels = labels.astype(np.int64)
    if labels.ndim and labels.shape[-1] == 1 and labels.ndim > 1:
        labels = labels[..., 0]
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, found "
                         f"{labels.min()}.")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and labels.max() >= num_classes:
        raise ValueError(f"to_categorical: label {labels.max()} does not fit "
                         f"num_classes={num_classes}.")
    out = np.zeros(labels.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scales x to unit `order`-norm along `axis` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm
