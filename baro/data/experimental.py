"""`tf.data.experimental`: the names tutorials still reach for here."""

from __future__ import annotations

from baro.core import Tensor
from baro.data.dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
)


def cardinality(dataset: Dataset) -> Tensor:
    """`dataset.cardinality()` (the TF 2.0-2.2 spelling).

    Example:
        >>> import baro
        >>> print(cardinality(baro.data.Dataset.range(3).repeat()).numpy())
        -1
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"cardinality expects a baro.data.Dataset, received "
                        f"{type(dataset).__name__}.")
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality"]
