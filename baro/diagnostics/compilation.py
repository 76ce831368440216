"""Which of a model's steps replay a compiled plan, and why some run eagerly.

`fit`, `evaluate` and `predict` trace their step once per input signature and
replay it (baro.training.compiled). A step that reads tensor values in Python,
or that a custom `train_step` replaces, runs eagerly instead: correct, but with
the per-op overhead of eager mode. `explain_compilation(model)` says which
happened for each signature the model has seen, and why.
"""

from __future__ import annotations

from dataclasses import dataclass

_KINDS = {True: "train", False: "predict", "test": "test"}


@dataclass(frozen=True)
class StepStatus:
    """One traced input signature of a model.

    Attributes:
        kind: "train", "test" (evaluate / validation) or "predict".
        signature: The batch's layout: shapes and dtype codes of x, y and
            sample weights (None where absent).
        status: "compiled" (replayed for any values), "traced once" (replayed
            only for the very values traced, until a second batch confirms
            the trace), or "eager" (replays are impossible: see `reason`).
        reason: Why the step runs eagerly ("" otherwise).
        sliced: Whether its ops split the batch over threads (the replay then
            holds BLAS to one thread).
    """

    kind: str
    signature: tuple
    status: str
    reason: str
    sliced: bool

    def __str__(self) -> str:
        text = f"{self.kind:8s}{self.status:13s}{self.signature}"
        return text + (f"\n        {self.reason}" if self.reason else "")


def explain_compilation(model) -> list[StepStatus]:
    """The compiled-step status of each input signature `model` has run.

    Args:
        model: A Model that has been fit, evaluated or used for predict.

    Returns:
        One `StepStatus` per signature, oldest first (an empty list before any
        step, or when the model runs eagerly: `compile(run_eagerly=True)`, a
        custom step method, or `baro.config.run_functions_eagerly(True)`).

    Example:
        >>> import numpy as np, baro
        >>> layers = baro.keras.layers
        >>> model = baro.keras.Sequential([layers.Input((3,)), layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> x = np.arange(24, dtype="float32").reshape(8, 3)
        >>> _ = model.fit(x, x[:, :1], batch_size=4, epochs=2, verbose=0)
        >>> [(s.kind, s.status) for s in baro.diagnostics.explain_compilation(model)]
        [('train', 'compiled')]
    """
    compiler = model.__dict__.get("_step_compiler")
    if compiler is None:
        return []
    found = []
    with compiler.lock:
        entries = list(compiler.cache.items())
    for key, replay in entries:
        kind, *layout = key
        if replay is None:
            status, reason = "eager", compiler.reasons.get(key, "")
        else:
            status = "compiled" if replay.verified else "traced once"
            reason = ""
        found.append(StepStatus(_KINDS.get(kind, str(kind)), tuple(layout), status,
                                reason, bool(replay is not None and replay.sliced)))
    return found
