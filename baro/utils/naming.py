"""Unique object names: "dense", "dense_1", "dense_2", ... as Keras assigns them."""

from __future__ import annotations

import re
from collections import defaultdict

_counts: defaultdict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """`"BatchNormalization"` -> `"batch_normalization"`, `"Conv2D"` -> `"conv2d"`."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def uniquify(base: str) -> str:
    """The next free name for `base`: the base itself first, then `base_1`, ...

    Example:
        >>> from baro.utils.naming import reset_names, uniquify
        >>> reset_names()
        >>> uniquify("dense"), uniquify("dense")
        ('dense', 'dense_1')
    """
    count = _counts[base]
    _counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Forgets every name handed out (`keras.backend.clear_session()` does this)."""
    _counts.clear()
