"""`keras.utils.np_utils` (Keras 2): `to_categorical` and `normalize`.

Keras 2 code writes `from keras.utils import np_utils` and then
`np_utils.to_categorical(y)`; the functions are `baro.utils`'s, with Keras 2's
`dtype` argument on `to_categorical`.
"""

from __future__ import annotations

import numpy as np

from baro.utils.numerical_utils import normalize
from baro.utils.numerical_utils import to_categorical as _to_categorical


def to_categorical(y, num_classes: int | None = None, dtype="float32") -> np.ndarray:
    """One-hot encodes integer class labels (Keras 2's signature).

    Args:
        y: Integer labels of any shape; a trailing axis of size 1 is dropped.
        num_classes: Number of classes (default: the largest label + 1).
        dtype: The output dtype (default "float32").

    Returns:
        Array of shape `y.shape + (num_classes,)`.

    Raises:
        ValueError: For negative, out-of-range or non-integer labels.

    Example:
        >>> from baro.keras.utils import np_utils
        >>> np_utils.to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
        >>> np_utils.to_categorical([1], 2, dtype="int32")
        array([[0, 1]], dtype=int32)
    """
    return _to_categorical(y, num_classes).astype(dtype, copy=False)


__all__ = ["normalize", "to_categorical"]
