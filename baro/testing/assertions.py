"""Assertions whose failure messages name shapes and dtypes first."""

from __future__ import annotations

import numpy as np

from baro.backend.arrays import to_numpy


def _as_numpy(x) -> np.ndarray:
    if hasattr(x, "data") and hasattr(x, "creator"):  # a baro Tensor
        x = x.data
    return np.asarray(to_numpy(x)) if not isinstance(x, np.ndarray) else x


def assert_allclose(actual, desired, rtol: float = 1e-6, atol: float = 1e-6,
                    err_msg: str = "", check_dtype: bool = False) -> None:
    """Asserts two arrays (or Tensors) have equal shapes and close values.

    Raises:
        AssertionError: Naming both shapes (and dtypes) before any values.
    """
    a = _as_numpy(actual)
    d = _as_numpy(desired)
    prefix = f"{err_msg}: " if err_msg else ""
    if a.shape != d.shape:
        raise AssertionError(
            f"{prefix}shape mismatch: actual {a.shape} ({a.dtype}) vs desired "
            f"{d.shape} ({d.dtype})"
        )
    if check_dtype and a.dtype != d.dtype:
        raise AssertionError(f"{prefix}dtype mismatch: actual {a.dtype} vs {d.dtype}")
    np.testing.assert_allclose(
        a, d, rtol=rtol, atol=atol,
        err_msg=f"{prefix}shape {a.shape}, dtypes {a.dtype}/{d.dtype}",
    )
