"""Normalization: (x - mean) / sqrt(variance), statistics given or adapted."""

from __future__ import annotations

import numpy as np

from baro import ops
from baro.backend.arrays import to_numpy
from baro.backend.config import epsilon
from baro.core.tensor import Tensor
from baro.layers.layer import Layer
from baro.saving.registry import register_serializable
from baro.utils.dataset import PyDataset


def _first_of(batch):
    """The inputs of a batch that may be `(x, y)` or `(x, y, sample_weight)`."""
    return batch[0] if isinstance(batch, tuple) else batch


def _as_array(x) -> np.ndarray:
    return to_numpy(x.data) if isinstance(x, Tensor) else np.asarray(x)


@register_serializable()
class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance per feature.

    `y = (x - mean) / max(sqrt(variance), epsilon)`, or with `invert=True`
    `y = mean + x * max(sqrt(variance), epsilon)`. The statistics are passed in
    (`mean`, `variance`) or computed from data by `adapt(data)` before training;
    adapted statistics are non-trainable weights `mean`, `variance` (the shape of
    the kept axes) and `count` (int64), as in Keras.

    Args:
        axis: Axis or axes that keep separate statistics (default -1: one mean
            per feature of the last axis); the others are averaged over. None:
            one scalar mean and variance.
        mean, variance: Optional fixed statistics, broadcast to the kept axes
            (aligned from the right); give both or neither.
        invert: Undo a normalization instead. Default False.
        **kwargs: Base Layer arguments (`name`, `dtype`, `input_shape`, ...).

    Input shape: any. Output shape: the input's.

    Example:
        >>> import numpy as np
        >>> from baro.layers.preprocessing.normalization import Normalization
        >>> layer = Normalization(axis=-1)
        >>> layer.adapt(np.array([[0.0, 7.0], [2.0, 9.0]], "float32"))
        >>> layer(np.array([[0.0, 9.0]], "float32")).numpy()
        array([[-1.,  1.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        else:
            axis = tuple(int(a) for a in axis)
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization: give both mean and variance or neither; received "
                f"mean={mean!r}, variance={variance!r}.")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"Normalization: mean and variance must have the same shape, "
                    f"received {np.shape(mean)} and {np.shape(variance)}.")
            if np.ndim(mean) > len(axis):
                raise ValueError(
                    f"Normalization: mean has rank {np.ndim(mean)}, more than the "
                    f"{len(axis)} kept axis/axes {axis}. Pass axis= to match.")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(
                f"Normalization {self.name!r}: axis {self.axis} is out of range "
                f"for inputs of rank {ndim} (shape {tuple(input_shape)}).")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self._keep_axis):
            raise ValueError(
                f"Normalization {self.name!r}: the kept axes {self._keep_axis} "
                f"must have known sizes, received input shape {tuple(input_shape)}.")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(
            input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._stat_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._build_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                shape=self._stat_shape, initializer="zeros", trainable=False,
                name="mean")
            self.adapt_variance = self.add_weight(
                shape=self._stat_shape, initializer="ones", trainable=False,
                name="variance")
            self.count = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                         trainable=False, name="count")
        else:
            expanded = [1] * ndim
            mean = np.asarray(self.input_mean, dtype=self.dtype)
            # Given statistics align with the kept axes from the right (Keras).
            for i in range(1, mean.ndim + 1):
                expanded[self._keep_axis[-i]] = mean.shape[-i]
            try:
                self._mean = np.broadcast_to(mean.reshape(expanded),
                                             self._broadcast_shape)
                self._variance = np.broadcast_to(
                    np.asarray(self.input_variance, dtype=self.dtype).reshape(
                        expanded), self._broadcast_shape)
            except ValueError:
                raise ValueError(
                    f"Normalization {self.name!r}: mean of shape {mean.shape} does "
                    f"not broadcast to the kept axes' shape {self._stat_shape}."
                ) from None
        self.built = True

    def adapt(self, data) -> None:
        """Computes the mean and variance of `data` over every axis but `axis`.

        Args:
            data: A NumPy array or Tensor, a `PyDataset`, or an iterable of
                batches (arrays, or `(x, y)` tuples whose x is used). Batches
                are merged exactly (pooled mean and variance).

        Raises:
            ValueError: If the layer has fixed statistics, or the data's kept
                axes do not match the built shape.
        """
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization {self.name!r} was given mean and variance; adapt() "
                "would overwrite nothing. Create it without them to adapt.")
        if isinstance(data, (np.ndarray, Tensor)):
            batches = iter([data])
        elif isinstance(data, PyDataset):
            batches = (data[i] for i in range(len(data)))
        elif hasattr(data, "__iter__"):
            batches = iter(data)
        else:
            raise TypeError(
                f"Normalization.adapt expects an array, a Tensor, a PyDataset or an "
                f"iterable of batches, received {type(data).__name__}.")
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            x = _as_array(_first_of(batch)).astype(np.float64)
            if not self.built:
                self.build(x.shape)
            if x.ndim != len(self._build_shape) or any(
                    x.shape[d] != self._build_shape[d] for d in self._keep_axis):
                raise ValueError(
                    f"Normalization {self.name!r} was built for inputs of shape "
                    f"{self._build_shape}; adapt() received a batch of shape "
                    f"{x.shape}.")
            count = int(np.prod([x.shape[d] for d in self._reduce_axis]))
            mean = x.mean(axis=self._reduce_axis)
            var = x.var(axis=self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            # Pooled statistics of two groups (Chan et al.), exact in one pass.
            new_count = total_count + count
            weight = count / new_count
            delta = mean - total_mean
            total_var = (1 - weight) * total_var + weight * var + \
                weight * (1 - weight) * delta**2
            total_mean = total_mean + weight * delta
            total_count = new_count
        if total_mean is None:
            raise ValueError(f"Normalization {self.name!r}: adapt() received no "
                             "data (an empty iterable).")
        self.adapt_mean.assign(total_mean.astype(self.dtype))
        self.adapt_variance.assign(total_var.astype(self.dtype))
        self.count.assign(np.asarray(total_count, dtype=np.int64))

    def call(self, inputs):
        x = ops.cast(inputs, self.dtype)
        if self.input_mean is None:
            mean = ops.reshape(self.adapt_mean, self._broadcast_shape)
            variance = ops.reshape(self.adapt_variance, self._broadcast_shape)
        else:
            mean = ops.convert_to_tensor(self._mean)
            variance = ops.convert_to_tensor(self._variance)
        std = ops.maximum(ops.sqrt(variance), epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        def listed(value):
            return None if value is None else np.asarray(value).tolist()

        return {**super().get_config(), "axis": list(self.axis),
                "mean": listed(self.input_mean),
                "variance": listed(self.input_variance), "invert": self.invert}
