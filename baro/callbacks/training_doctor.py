"""TrainingDoctor: watches a fit and explains, once and in plain language, what
goes wrong and what to try.

The examinations need the model's machinery (gradients, layers), which sits
above this folder; `baro.diagnostics` provides them by registering a factory
here, and `baro/__init__.py` registers a provider that imports it on first use
(the way `baro.saving.formats` gets the Keras and ONNX formats), so callbacks
still import nothing but `utils`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baro.callbacks.callback import Callback, Logs

_EXAMINATION: dict[str, Callable | None] = {"factory": None, "provider": None}


def register_examination(factory: Callable) -> None:
    """Installs the examination factory (`baro.diagnostics` calls this):
    `factory(model, x, y, sample_size=, patience=, seed=)` returns an object
    with `begin()`, `epoch_end(epoch, logs, probe_now)` and `end()`, each
    returning the new findings."""
    _EXAMINATION["factory"] = factory


def register_provider(provider: Callable[[], object]) -> None:
    """Registers a callable that, called once, registers the examination."""
    _EXAMINATION["provider"] = provider


def _examination_factory() -> Callable:
    provider = _EXAMINATION["provider"]
    if _EXAMINATION["factory"] is None and provider is not None:
        _EXAMINATION["provider"] = None
        provider()
    factory = _EXAMINATION["factory"]
    if factory is None:
        raise RuntimeError(
            "TrainingDoctor needs baro.diagnostics, which was not loaded; "
            "`import baro.diagnostics` before fit.")
    return factory


class TrainingDoctor(Callback):
    """Diagnoses common training problems and says what to try.

    Before the first step it probes a sample of the training data: one forward
    and backward pass (inference mode, no update) measuring every layer's
    gradient norm, dead ReLU units and saturated sigmoid/tanh outputs (see
    `baro.diagnostics.inspect`), plus the labels against the loss and the output
    layer, and the scale of the inputs. After every `probe_every` epochs it
    probes again and reads the epoch logs; at the end it looks at the
    predictions. It reports:

    - `vanishing_gradients`: the first layer's gradient RMS < 1e-3 x the last's;
    - `exploding_gradients`: NaN/inf gradients, or a ratio or growth > 1e3;
    - `learning_rate_too_high`: the loss turned NaN, rose 1.5x, or oscillated;
    - `learning_rate_too_low`: the loss flat (< 1%) for `patience` epochs while
      the gradient stays large;
    - `dead_relus`, `saturated_units`: >= half of a layer's units;
    - `overfitting`: val_loss rising for `patience` epochs past its best while
      the training loss falls; `underfitting`: the loss stalled at >= half its
      initial value;
    - `unscaled_inputs`: inputs of the first layer beyond |x| = 10;
    - `labels_out_of_range`, `label_format_mismatch`, `class_never_predicted`.

    Each code is reported once per fit (printed when `verbose`), and kept in
    `findings` as `baro.diagnostics.Finding` objects. `fit` hands the training
    data to callbacks whose `wants_training_data` is True, through
    `set_training_data`; with data other than arrays (generators, datasets),
    only the loss trends are watched. A probe costs one forward and backward
    pass on `sample_size` rows, so the overhead on a full epoch is small
    (under 1% on an MNIST MLP; benchmarks/doctor_overhead.py).

    Args:
        probe_every: Probe the gradients every this many epochs (default 1).
        sample_size: Training rows probed (default 256), drawn once per fit.
        patience: Epochs a trend must last before it is reported (default 5).
        verbose: Print each finding when first seen (default 1).
        seed: Seed of the row sampling (default 0; training's random streams
            are not touched).

    Attributes:
        findings: The findings of the last (or current) fit.
        examination: Its state: the probe reports, losses, sample.

    Example:
        >>> doctor = TrainingDoctor(verbose=0)
        >>> doctor.findings
        []
    """

    wants_training_data = True

    def __init__(self, probe_every: int = 1, sample_size: int = 256,
                 patience: int = 5, verbose: int = 1, seed: int = 0) -> None:
        super().__init__()
        for name, value in (("probe_every", probe_every),
                            ("sample_size", sample_size), ("patience", patience)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"TrainingDoctor expects {name} to be a positive "
                                 f"integer, received {value!r}.")
        self.probe_every = probe_every
        self.sample_size = sample_size
        self.patience = patience
        self.verbose = verbose
        self.seed = seed
        self.findings: list = []
        self.examination: Any = None
        self._data: tuple = (None, None)

    def set_training_data(self, x: Any, y: Any = None) -> None:
        """Gives the doctor the training inputs and targets (`fit` calls this
        for callbacks with `wants_training_data`); it samples them itself."""
        self._data = (x, y)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        factory = _examination_factory()
        self.findings = []
        x, y = self._data
        self.examination = factory(self.model, x, y, sample_size=self.sample_size,
                                   patience=self.patience, seed=self.seed)
        self._report(self.examination.begin())

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.examination is None:
            return
        probe_now = (epoch + 1) % self.probe_every == 0
        self._report(self.examination.epoch_end(epoch, logs or {}, probe_now))

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.examination is not None:
            self._report(self.examination.end())
            self._data = (None, None)  # do not keep the arrays alive

    def _report(self, new: list) -> None:
        self.findings.extend(new)
        if self.verbose:
            for finding in new:
                print(f"TrainingDoctor {finding}")

    def summary(self) -> str:
        """The findings as text, one per paragraph ("No problems found." if none)."""
        if not self.findings:
            return "TrainingDoctor: no problems found."
        return "\n\n".join(str(f) for f in self.findings)
