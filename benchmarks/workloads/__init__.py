"""The suite's workloads, in the order the report lists them.

Each module defines `WORKLOAD` (or several `Workload` objects, like `mlp`); modules
are imported on demand so that `--only` pays for nothing else.
"""

from __future__ import annotations

import importlib

from benchmarks.common import Workload

# (name, module, attribute): the name is what `--only` takes.
REGISTRY = (
    ("temperature", "temperature", "WORKLOAD"),
    ("xor", "xor", "WORKLOAD"),
    ("mlp1000", "mlp", "BATCH_1000"),
    ("mlp128", "mlp", "BATCH_128"),
    ("cnn", "cnn", "WORKLOAD"),
    ("lstm", "lstm", "WORKLOAD"),
    ("predict", "predict", "WORKLOAD"),
    ("import", "import_time", "WORKLOAD"),
    ("doctor", "doctor", "WORKLOAD"),
)

NAMES = tuple(name for name, _, _ in REGISTRY)


def load(name: str) -> Workload:
    """The workload called `name` (one of `NAMES`)."""
    for known, module, attribute in REGISTRY:
        if known == name:
            found = importlib.import_module(f"benchmarks.workloads.{module}")
            return getattr(found, attribute)
    raise ValueError(f"unknown workload {name!r}; expected one of {', '.join(NAMES)}")
