"""Reduction metrics: Sum, Mean, and MeanMetricWrapper (the mean of a function).

Values with more axes than the sample weights are first reduced to one value
per weight (mean for Mean, sum for Sum), then weighted; this is
`reduce_to_samplewise_values` in Keras.
"""

from __future__ import annotations

import numpy as np

from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor
from baro.losses.loss import squeeze_or_expand_to_same_rank
from baro.metrics.metric import Metric, to_array
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype,
                                name: str = "metric"):
    """One value per sample (axis 0), weighted; and the matching weights.

    Args:
        values: Array-like of values, shape (batch, ...) or a scalar.
        sample_weight: None or weights broadcastable to the values after the
            Keras rank alignment (e.g. (batch,) or (batch, 1)).
        reduce_fn: `np.mean` or `np.sum`, used over the trailing axes.
        dtype: Dtype the values and weights are cast to.
        name: Metric name for error messages.

    Returns:
        (values, weights): weighted values reduced to at most one axis, and the
        weights reduced the same way (None without sample_weight).

    Raises:
        ValueError: If sample_weight cannot broadcast to the values.
    """
    values = to_array(values, dtype)
    weights = None
    if sample_weight is not None:
        weights = to_array(sample_weight, dtype)
        values, weights = squeeze_or_expand_to_same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = reduce_fn(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"{name}: sample_weight has shape {weights.shape}, which does not "
                f"broadcast to the values of shape {values.shape}. Pass one weight "
                "per sample."
            ) from None
        values = values * weights
        if weights.ndim > 1:
            weights = reduce_fn(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, weights


@register_serializable()
class Sum(Metric):
    """The (weighted) sum of all values seen: total += sum(w * v).

    Args:
        name: Default "sum".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.Sum()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name: str = "sum", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum,
                                                self.dtype, self.name)
        self.total.assign_add(values.sum(dtype=self.dtype))

    def result(self) -> Tensor:
        return self._tensor(self.total.data)


@register_serializable()
class Mean(Metric):
    """The (weighted) mean of all values seen: sum(w * v) / sum(w).

    Without weights each sample counts once; values with extra axes are first
    averaged to one value per sample.

    Args:
        name: Default "mean".
        dtype: See `Metric`.

    Example:
        >>> from baro import metrics
        >>> m = metrics.Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> float(m.result())
        4.0
        >>> m.update_state([0], sample_weight=[4])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name: str = "mean", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None) -> None:
        """Adds the (weighted) values to the total and their weights to the count."""
        if type(sample_weight) is int and getattr(values, "ndim", None) == 0:
            # fit's loss tracker, every step: the same arithmetic as below
            # (value * weight, then the weight, both in self.dtype), minus the
            # general rank and broadcast handling.
            weights = self.__dict__.setdefault("_int_weights", {})
            weight = weights.get(sample_weight)
            if weight is None:
                weight = weights[sample_weight] = np.asarray(sample_weight,
                                                             dtype=self.dtype)
            if type(values) is not np.ndarray or values.dtype != weight.dtype:
                values = to_array(values, self.dtype)
            self.total.data += values * weight
            self.count.data += weight
            return
        values, weights = reduce_to_samplewise_values(
            values, sample_weight, np.mean, self.dtype, self.name)
        self.total.assign_add(values.sum(dtype=self.dtype))
        if weights is not None:
            count = weights.sum(dtype=self.dtype)
        else:
            count = values.shape[0] if values.ndim else 1
        self.count.assign_add(np.asarray(count, dtype=self.dtype))

    def result(self) -> Tensor:
        count = self.count.data
        # divide_no_nan: before any update the mean is 0, not NaN.
        if count == 0:
            return self._tensor(0.0)
        return self._tensor(self.total.data / count)


@register_serializable()
class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    `fn` is any loss or metric function returning one value per sample (such as
    `baro.losses.mean_squared_error`); it runs without recording a graph.

    Args:
        fn: The function.
        name: Default "mean_metric_wrapper".
        dtype: See `Metric`.
        **kwargs: Keyword arguments for `fn` (saved in the config).

    Raises:
        TypeError: If `fn` is not callable.

    Example:
        >>> from baro import losses, metrics
        >>> m = metrics.MeanMetricWrapper(losses.mean_absolute_error, name="mae")
        >>> m.update_state([[0.0], [2.0]], [[1.0], [1.0]], sample_weight=[1, 3])
        >>> float(m.result())
        1.0
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs) -> None:
        if not callable(fn):
            raise TypeError(
                f"MeanMetricWrapper: fn must be callable, received {fn!r}. Pass a "
                "function such as baro.metrics.binary_accuracy.")
        super().__init__(name=name or "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        with no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        # Built-in subclasses fix their function; only the bare wrapper saves it.
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize(self._fn)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("fn"), str):
            from baro import metrics

            config["fn"] = metrics.get_function(config["fn"])
        return cls(**config)
