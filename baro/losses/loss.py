"""The Loss base class: inputs, sample weights and the reduction, once for all losses.

A loss is a pure function returning one value per sample (see regression.py,
crossentropy.py, sparse_crossentropy.py, probabilistic.py, hinge.py) plus a thin
class. The class's `__call__` converts the inputs, calls the function once,
multiplies by `sample_weight` and reduces, with Keras 3 semantics
(`keras.losses.Loss`).
"""

from __future__ import annotations

import math
import re

import numpy as np

from baro import ops
from baro.backend.config import floatx, is_float_dtype, standardize_dtype
from baro.core.tensor import Tensor
from baro.saving.registry import register_serializable
from baro.saving.serialization import serialize

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight",
              "none", None)


def standardize_reduction(reduction, name: str = "Loss"):
    """Returns `reduction` if it is one of `REDUCTIONS`.

    Raises:
        ValueError: For anything else, listing the valid values.
    """
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{name}: reduction must be one of {REDUCTIONS}, received "
            f"{reduction!r}. The usual choice is 'sum_over_batch_size'."
        )
    return reduction


def to_float_tensor(x, dtype=None) -> Tensor:
    """`x` as a Tensor of `dtype`; with no dtype, floats keep theirs and other
    inputs become `floatx()`. Float-to-float casts stay differentiable."""
    t = x if isinstance(x, Tensor) else ops.convert_to_tensor(x)
    if dtype is None:
        dtype = t.dtype if is_float_dtype(t.dtype) else floatx()
    return ops.cast(t, dtype)


def match_inputs(y_true, y_pred, name: str, align: bool = True,
                 check: bool = True):
    """Converts a (y_true, y_pred) pair the way every loss function starts.

    y_pred becomes a float Tensor, y_true is cast to its dtype; with `align`, a
    trailing size-1 axis is squeezed or added so the ranks agree
    (`squeeze_or_expand_to_same_rank`).

    Raises:
        ValueError: With `check`, if the shapes cannot broadcast, naming `name`
            and both shapes.
    """
    y_pred = to_float_tensor(y_pred)
    y_true = to_float_tensor(y_true, y_pred.dtype)
    if align:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if not check:
        return y_true, y_pred
    try:
        np.broadcast_shapes(y_true.shape, y_pred.shape)
    except ValueError:
        raise ValueError(
            f"{name}: y_true has shape {y_true.shape} and y_pred has shape "
            f"{y_pred.shape}; they must be equal or broadcastable."
            f"{_mismatch_hint(y_true.shape, y_pred.shape)}"
        ) from None
    return y_true, y_pred


def _mismatch_hint(true_shape: tuple, pred_shape: tuple) -> str:
    """The likely fix for targets that do not fit the model's outputs."""
    if math.prod(true_shape) == math.prod(pred_shape):
        return f" Reshape y_true to {pred_shape}."
    if true_shape[:1] == pred_shape[:1] and len(true_shape) == len(pred_shape) \
            and len(pred_shape) > 1:
        return (f" The model outputs {pred_shape[-1]} values per sample and the "
                f"targets have {true_shape[-1]}: give the last layer "
                f"{true_shape[-1]} units (e.g. Dense({true_shape[-1]})) or fix "
                "the targets.")
    return (f" Make the targets match the model's output shape {pred_shape} "
            "(check the last layer's units and whether a Flatten is missing).")


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Makes ranks agree when they differ by one trailing size-1 axis (Keras rule).

    If the higher-rank input ends in a size-1 axis, the lower one gains that axis
    when it is rank 1 (and `expand_rank_1`), otherwise the higher one loses it.
    Works on Tensors and on raw arrays alike (indexing only).
    """
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def reduce_values(values: Tensor, sample_weight=None,
                  reduction="sum_over_batch_size") -> Tensor:
    """Sums (and for the mean reductions divides) already-weighted values.

    "sum_over_batch_size" and "mean" divide by the number of elements,
    "mean_with_sample_weight" by sum(sample_weight); a zero divisor gives 0
    (`divide_no_nan`). Scalars, empty vectors and "none" pass through.
    """
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.sum(sample_weight)
    else:
        divisor = values.size
    if float(divisor) == 0.0:
        # divide_no_nan: 0, with a zero gradient, instead of 0 / 0.
        return ops.where(np.asarray(False), total, 0.0)
    return total / divisor


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size",
                           name: str = "loss") -> Tensor:
    """Applies `sample_weight` (and a validity `mask`) to per-sample losses and
    reduces them: the single place where losses are weighted.

    Weights are aligned with the Keras rule (`squeeze_or_expand_to_same_rank`);
    weights with fewer axes than the losses then get trailing axes, so one
    weight per sample of shape (batch,) weighs every step of a (batch, steps)
    loss (tf.keras 2 did the same). A mask (e.g. ignored classes) rescales the
    mean reductions so they average over the valid entries only.

    Raises:
        ValueError: If the weights cannot broadcast against the losses.
    """
    reduction = standardize_reduction(reduction, name)
    values = to_float_tensor(values)
    weight = None
    if sample_weight is not None:
        weight = to_float_tensor(sample_weight, values.dtype)
    if mask is not None:
        weight = _merge_mask(weight, np.asarray(mask), values.dtype, reduction)
    if weight is not None:
        given_shape = weight.shape
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        while weight.ndim < values.ndim:
            weight = weight[..., None]
        try:
            np.broadcast_shapes(values.shape, weight.shape)
        except ValueError:
            per_value = (f", or one per loss value, shape {values.shape}"
                         if values.ndim > 1 else "")
            raise ValueError(
                f"{name}: sample_weight has shape {given_shape}, which "
                f"does not broadcast against the per-sample losses of shape "
                f"{values.shape}. Pass one weight per sample, shape "
                f"{values.shape[:1]}{per_value}."
            ) from None
        values = values * weight
    return reduce_values(values, weight, reduction)


def _merge_mask(weight, mask, dtype, reduction):
    mask = mask.astype(dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        # Scale valid entries by total / valid so that dividing by the element
        # count afterwards averages over the valid entries only (Keras).
        valid = mask.sum()
        mask = mask * (mask.size / valid if valid else 0.0)
        mask = mask.astype(dtype)
    if weight is None:
        return Tensor(mask)
    mask, weight = squeeze_or_expand_to_same_rank(mask, weight)
    return weight * mask


def _snake_case(name: str) -> str:
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


@register_serializable()
class Loss:
    """Base class of losses: `call` gives per-sample losses, `__call__` reduces.

    Subclasses write `call(y_true, y_pred)` returning one loss per sample,
    composed from baro ops so it is differentiable. `__call__(y_true, y_pred,
    sample_weight)` converts the inputs (y_true is cast to y_pred's float
    dtype), calls `call` once, multiplies by `sample_weight` and reduces the
    weighted losses `w * l`:

    - "sum_over_batch_size" (default) and "mean": sum(w * l) / size(l)
    - "sum": sum(w * l)
    - "mean_with_sample_weight": sum(w * l) / sum(w) (size(l) without weights)
    - None or "none": w * l, one value per sample.

    Args:
        name: Name of the loss (default: the class name in snake case).
        reduction: One of the reductions above (default "sum_over_batch_size").
        dtype: Float dtype to compute in (default None: y_pred's float dtype,
            `floatx()` for integer predictions).

    Raises:
        ValueError: For an unknown reduction or a non-float dtype.

    Example:
        >>> import baro
        >>> from baro import losses, ops
        >>> class L1(losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return ops.mean(ops.abs(y_true - y_pred), axis=-1)
        >>> float(L1()([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    def __init__(self, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size",
                 dtype=None) -> None:
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction, type(self).__name__)
        if dtype is not None:
            dtype = standardize_dtype(dtype)
            if not is_float_dtype(dtype):
                raise ValueError(
                    f"{type(self).__name__}: dtype must be a float dtype, "
                    f"received {dtype!r}. Use 'float32' or 'float64'."
                )
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        """Weighted, reduced loss; a scalar Tensor unless reduction is "none".

        A mask carried by `y_pred` (from Embedding(mask_zero=True) or Masking
        through a sequence model) removes the masked steps from the average.
        """
        carried = getattr(y_pred, "_keras_mask", None)
        y_pred = to_float_tensor(y_pred, self.dtype)
        y_true = to_float_tensor(y_true, y_pred.dtype)
        losses = self.call(y_true, y_pred)
        mask = self._mask(y_true, y_pred)
        if carried is not None and carried.shape == losses.shape:
            carried = carried.numpy() if hasattr(carried, "numpy") else carried
            mask = carried if mask is None else np.logical_and(mask, carried)
        return reduce_weighted_values(
            losses, sample_weight, mask, self.reduction, self.name)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred).")

    def _mask(self, y_true, y_pred):
        """Which per-sample losses count (None: all); see ignore_class."""
        return None

    def get_config(self) -> dict:
        """The constructor arguments, JSON-ready."""
        config = {"name": self.name, "reduction": self.reduction}
        if self.dtype is not None:
            config["dtype"] = self.dtype
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the loss from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} name={self.name!r}, "
                f"reduction={self.reduction!r}>")


@register_serializable()
class LossFunctionWrapper(Loss):
    """A Loss class made from a per-sample function `fn(y_true, y_pred, **kwargs)`.

    `call` first aligns the ranks of y_true and y_pred (a trailing size-1 axis
    is squeezed or added, as Keras does), then returns `fn(y_true, y_pred,
    **kwargs)`.

    Args:
        fn: The per-sample loss function.
        reduction: See `Loss` (default "sum_over_batch_size").
        name: Name of the loss (default "loss_function_wrapper").
        dtype: See `Loss`.
        **kwargs: Extra keyword arguments for `fn` (saved in the config).

    Raises:
        TypeError: If `fn` is not callable.

    Example:
        >>> from baro import losses
        >>> mse = losses.LossFunctionWrapper(losses.mean_squared_error)
        >>> float(mse([[0.0, 2.0]], [[1.0, 1.0]]))
        1.0
    """

    def __init__(self, fn, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype=None, **kwargs) -> None:
        if not callable(fn):
            raise TypeError(
                f"LossFunctionWrapper: fn must be callable, received {fn!r}. "
                "Pass a function such as baro.losses.mean_squared_error.")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        # Built-in subclasses fix their function; only the bare wrapper saves it.
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialize(self.fn)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            from baro import losses

            config["fn"] = losses.get(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__name__", repr(self.fn))
        return f"<{type(self).__name__}({name}, kwargs={self._fn_kwargs})>"
