"""What a `TrainingDoctor` callback (issue 9) costs `fit`: one epoch of the MLP
784-512-512-10 at batch 128, with and without the callback, alternated.

The ratio "with / without" is the doctor's overhead. Until
`baro.callbacks.TrainingDoctor` exists the row reads "n/a (issue 9)".
"""

from __future__ import annotations

import importlib
import importlib.util
import time

from benchmarks.common import Notes, Peers, Variant, Workload
from benchmarks.workloads import _shared, mlp

BATCH = 128


def doctor_class():
    """`baro.callbacks.TrainingDoctor`, or None before issue 9."""
    import baro.callbacks

    if importlib.util.find_spec("baro.diagnostics") is not None:
        # The doctor's examinations live there; loading it up front keeps its
        # import out of the first timed fit.
        importlib.import_module("baro.diagnostics")
    return getattr(baro.callbacks, "TrainingDoctor", None)


def quiet_doctor(cls):
    """A doctor that does not print: findings would interleave with the timings."""
    try:
        return cls(verbose=0)
    except TypeError:
        return cls()


def _fit_variant(label: str, model, x, y, scale: float, callbacks: list,
                 reference: bool) -> Variant:
    warm = _shared.warm_rows(len(x), BATCH)
    restore = []

    def warmup() -> None:
        model.fit(x[:warm], y[:warm], batch_size=BATCH, epochs=2, verbose=0,
                  callbacks=callbacks)
        restore[:] = [_shared.keras_snapshot(model)]

    def run() -> tuple[float, Notes]:
        if restore:  # every repetition starts from the state the warm-up left
            restore[0]()
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0,
                            callbacks=callbacks)
        seconds = time.perf_counter() - start
        return seconds * scale, {"loss": round(history.history["loss"][-1], 4)}

    return Variant("baro", label, run, warmup, reference)


def make_variants(quick: bool, peers: Peers) -> list[Variant]:
    doctor = doctor_class()
    if doctor is None:
        return []
    rows = 2 * BATCH + BATCH // 2 if quick else mlp.ROWS
    scale = mlp.ROWS / rows
    x, y = _shared.random_classification(rows, (mlp.LAYERS[0],))
    plain, examined = mlp.fresh_baro_model(), mlp.fresh_baro_model()
    return [_fit_variant("fit", plain, x, y, scale, [], True),
            _fit_variant("fit + TrainingDoctor", examined, x, y, scale,
                         [quiet_doctor(doctor)], False)]


def _workload() -> Workload:
    unavailable = None
    try:
        if doctor_class() is None:
            unavailable = "n/a (issue 9)"
    except ImportError:
        unavailable = "n/a (issue 9)"
    return Workload(
        name="doctor",
        title="fit with a TrainingDoctor: overhead on the MLP, batch 128",
        unit="s/epoch",
        variants=make_variants,
        repeats=3,
        description=" ".join(__doc__.split("\n\n")[0].split()),
        unavailable=unavailable,
    )


WORKLOAD = _workload()
