"""`baro.data`: `tf.data.Dataset` for input pipelines (`import baro as tf`).

The tutorial pipeline runs unchanged and feeds `model.fit`:

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    ds = ds.shuffle(1000).batch(32).prefetch(tf.data.AUTOTUNE)
    model.fit(ds, epochs=5)

Elements are baro Tensors when iterated (tuples and dicts keep their structure).
Everything runs eagerly in the calling thread: `prefetch` and
`num_parallel_calls` are accepted and change nothing. See docs/keras_compat.md.
"""

from baro.data import experimental
from baro.data.dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    DatasetIterator,
)
from baro.data.structure import TensorSpec

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "Dataset",
    "DatasetIterator",
    "TensorSpec",
    "experimental",
]
