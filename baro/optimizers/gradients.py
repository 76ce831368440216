"""Steps 1-3 of `Optimizer.apply`: gradients checked, cast, unscaled and clipped.

Functions on raw arrays, so the base class reads as the list of steps and each
step can be tested alone.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from baro.backend.arrays import convert_to_array
from baro.core.tensor import Tensor


def prepare_gradients(owner: str, grads: list, variables: list,
                      loss_scale_factor: float | None) -> tuple[list, list]:
    """Drops None gradients (warning), casts the rest to their variable's dtype.

    Args:
        owner: The optimizer's class name, for messages.
        grads: Gradients (Tensors, arrays, numbers or None), one per variable.
        variables: The variables, in the same order.
        loss_scale_factor: When not None, gradients are divided by it.

    Returns:
        `(grads, variables)` without the pairs whose gradient was None; the
        gradients are raw arrays with the variables' shapes and dtypes.

    Raises:
        ValueError: If a gradient's shape differs from its variable's, or every
            gradient is None.
    """
    kept_grads, kept_vars, missing = [], [], []
    for grad, variable in zip(grads, variables, strict=True):
        if grad is None:
            missing.append(variable.name)
            continue
        array = grad.data if isinstance(grad, Tensor) else convert_to_array(grad)
        target = variable.data
        if array.dtype != target.dtype:
            array = array.astype(target.dtype)
        if array.shape != target.shape:
            raise ValueError(
                f"{owner}.apply: the gradient for variable "
                f"'{variable.name}' has shape {array.shape}, the variable has "
                f"shape {target.shape}. Pass gradients in the variables' order.")
        kept_grads.append(array if loss_scale_factor is None
                          else array / loss_scale_factor)
        kept_vars.append(variable)
    if not kept_grads:
        raise ValueError("No gradients provided for any variable.")
    if missing:
        # stacklevel 3: past this function and Optimizer.apply, at the caller.
        warnings.warn(f"Gradients do not exist for variables {missing} when "
                      "minimizing the loss; they are left unchanged.", stacklevel=3)
    return kept_grads, kept_vars


def clip_gradients(grads: list, clipnorm: float | None = None,
                   clipvalue: float | None = None,
                   global_clipnorm: float | None = None) -> list:
    """Applies the one clipping option that is set (see `Optimizer`, step 3)."""
    if clipnorm is not None:
        return [clip_by_norm(g, clipnorm) for g in grads]
    if global_clipnorm is not None:
        return clip_by_global_norm(grads, global_clipnorm)
    if clipvalue is not None:
        return [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def clip_by_norm(gradient, clip_norm: float):
    """`gradient * clip_norm / max(||gradient||_2, clip_norm)`."""
    norm = math.sqrt(float(np.vdot(gradient, gradient)))
    if norm > clip_norm:
        return gradient * (clip_norm / norm)
    return gradient


def clip_by_global_norm(grads: list, clip_norm: float) -> list:
    """Scales all gradients by `clip_norm / max(global_norm, clip_norm)`.

    The global norm is `sqrt(sum_i ||g_i||^2)`. As in Keras, a non-finite global
    norm makes every gradient NaN rather than silently passing it through.
    """
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if norm <= clip_norm:
        return grads
    scale = clip_norm / norm if math.isfinite(norm) else math.nan
    return [g * scale for g in grads]
