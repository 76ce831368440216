"""Wall time of a fresh interpreter that runs `import baro`, against the same for
NumPy (baro's only dependency), PyTorch, JAX and Keras 3 where installed, and an
interpreter that imports nothing (the floor every row pays).

Each repetition is one new process (`python -c "import X"`); the first, untimed,
warms the disk cache. PyTorch and JAX are only located, not imported, here.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import time

from benchmarks.common import Notes, Peers, Variant, Workload, python_command


def _process_variant(framework: str, label: str, code: str,
                     reference: bool = False) -> Variant:
    def run() -> tuple[float, Notes]:
        start = time.perf_counter()
        subprocess.run(python_command(code), check=True, env=os.environ.copy())
        return (time.perf_counter() - start) * 1e3, {}

    return Variant(framework, label, run, reference=reference)


def make_variants(quick: bool, peers: Peers) -> list[Variant]:
    found = [_process_variant("python", "startup", "pass"),
             _process_variant("numpy", "import", "import numpy",
                              reference=True),
             _process_variant("baro", "import", "import baro")]
    for name in ("torch", "jax"):
        if peers.wants(name) and importlib.util.find_spec(name) is not None:
            found.append(_process_variant(name, "import", f"import {name}",
                                          reference=name == "torch"))
    # Keras needs a usable backend; `Peers` resolves it into KERAS_BACKEND, which
    # the child process inherits.
    if peers.get("keras") is not None:
        found.append(_process_variant("keras", "import", "import keras"))
    return found


WORKLOAD = Workload(
    name="import",
    title="import time (fresh process)",
    unit="ms",
    variants=make_variants,
    repeats=10,
    description=" ".join(__doc__.split("\n\n")[0].split()),
)
