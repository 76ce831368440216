"""Trainer: compile / fit / evaluate / predict, mixed into Model.

The flow follows Keras 3 (its torch backend's trainer is the template): `fit`
loops epochs and batches, calling the overridable `train_step`, which does
forward -> loss -> backward -> optimizer update -> metrics; callbacks see every
stage. The model is reached only through `self(...)` and its weights.
"""

from __future__ import annotations

import numpy as np

from baro import optimizers as optimizers_module
from baro.core.engine import gradients
from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor
from baro.core.tracing import functions_run_eagerly
from baro.metrics import Mean
from baro.training import data as data_module
from baro.training.compile_utils import CompiledLoss, CompiledMetrics, as_list
from baro.training.compiled import StepCompiler


class NaNLossWarning(UserWarning):
    """Training stopped because the loss stopped being a finite number."""


def _to_float(value):
    if isinstance(value, Tensor):
        value = value.data
    if type(value) is not np.ndarray:
        value = np.asarray(value)
    return float(value) if value.size == 1 else value


def _verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


class TrainerBase:
    """compile, the loss and metric bookkeeping, and the three step methods."""

    def _init_trainer(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.compiled_loss = None
        self.compiled_metrics = None
        self.stop_training = False
        self.history = None
        self._initial_epoch = None
        self._loss_tracker = None
        self.run_eagerly = False
        self._step_compiler = None

    # -- compile -------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None,
                metrics=None, weighted_metrics=None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile="auto",
                auto_scale_loss: bool = True) -> None:
        """Configures training.

        Args:
            optimizer: Name ("adam"), class or instance. Default "rmsprop".
            loss: Name, class, instance or function; a list or dict for several
                outputs.
            loss_weights: Scalar, list or dict weighting each output's loss.
            metrics: List of names, functions or Metric objects ("accuracy" is
                resolved to binary/categorical/sparse accuracy by the shapes).
            weighted_metrics: Metrics that also receive the sample weights.
            run_eagerly: If True, every step runs op by op (for debugging);
                by default `fit` traces its step once per input signature and
                replays it (bit-identical, much less Python per step).
            steps_per_execution, jit_compile, auto_scale_loss: Accepted for
                Keras compatibility.
        """
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._compile_args = {"loss": loss, "loss_weights": loss_weights,
                              "metrics": metrics, "weighted_metrics": weighted_metrics}
        names = self._output_names()
        self.compiled_loss = CompiledLoss(loss, loss_weights, names) \
            if loss is not None else None
        self.compiled_metrics = CompiledMetrics(metrics, weighted_metrics, names)
        self._loss_tracker = Mean(name="loss")
        self.run_eagerly = bool(run_eagerly)
        self._step_compiler = None  # plans hold the previous loss and optimizer
        self.compiled = True
        self.stop_training = False

    def _output_names(self) -> list[str]:
        names = getattr(self, "output_names", None)
        return list(names) if names else ["output"]

    @property
    def metrics(self) -> list:
        """The loss tracker and every compiled metric (once built)."""
        found = [self._loss_tracker] if self._loss_tracker is not None else []
        if self.compiled_metrics is not None:
            found += self.compiled_metrics.metrics
        return found

    @property
    def metrics_names(self) -> list[str]:
        """Names in the order `evaluate` returns its values: "loss" first."""
        names = [m.name for m in self.metrics]
        if self.compiled_loss is not None and len(self.compiled_loss.losses) > 1:
            names[1:1] = [f"{n}_loss" for n in self.compiled_loss.output_names]
        return names

    def reset_metrics(self) -> None:
        """Resets the loss tracker and all metrics."""
        for metric in self.metrics:
            metric.reset_state()
        self.__dict__["_output_loss_trackers"] = {}  # no layer tracking needed

    # -- steps ---------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training: bool = True):
        """Compiled loss plus the model's regularization losses (a scalar)."""
        names = self._output_names()
        total, parts = self.compiled_loss(as_list(y, names), as_list(y_pred, names),
                                          as_list(sample_weight, names)
                                          if isinstance(sample_weight, (list, dict))
                                          else [sample_weight] * len(names))
        self.__dict__["_last_output_losses"] = parts
        for extra in self.losses:
            total = total + extra
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the metrics with a batch and returns the logs dict."""
        self._update_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_metrics(self, y, y_pred, sample_weight) -> None:
        compiled = self.compiled_metrics
        if compiled.built and not compiled.entries:
            return  # nothing to update (compiled without metrics)
        names = self._output_names()
        weights = as_list(sample_weight, names) \
            if isinstance(sample_weight, (list, dict)) else [sample_weight] * len(names)
        compiled.update_state(as_list(y, names), as_list(y_pred, names), weights)

    def get_metrics_result(self) -> dict:
        """The current value of every metric, as Python floats."""
        logs = {}
        for metric in self.metrics:
            logs[metric.name] = _to_float(metric.result())
        if len(getattr(self, "_output_loss_trackers", {})) > 1:
            for name, tracker in self._output_loss_trackers.items():
                logs[f"{name}_loss"] = _to_float(tracker.result())
        return logs

    def _track_losses(self, loss, x, batch: int | None = None) -> None:
        if batch is None:
            batch = int(np.shape(data_module.flatten(x)[0])[0])
        self._loss_tracker.update_state(loss.data, sample_weight=batch)
        parts = getattr(self, "_last_output_losses", {})
        if len(parts) > 1:
            trackers = self.__dict__.setdefault("_output_loss_trackers", {})
            for name, value in parts.items():
                if name not in trackers:
                    trackers[name] = Mean(name=f"{name}_loss")
                trackers[name].update_state(value.data, sample_weight=batch)

    def train_step(self, data) -> dict:
        """One optimization step on a batch; returns the logs (override freely)."""
        x, y, sample_weight = data_module.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        return self._finish_train_step(loss, x, y, y_pred, sample_weight)

    def _finish_train_step(self, loss, x, y, y_pred, sample_weight,
                           retain_graph: bool = False) -> dict:
        """Backward, optimizer update and metrics: the rest of `train_step`
        (`retain_graph` keeps the ops' links for a traced plan to replay)."""
        variables = self.trainable_weights
        if not variables:
            raise ValueError(f"Model {self.name!r} has no trainable weights to fit.")
        grads = gradients([loss], variables, retain_graph=retain_graph)
        self.optimizer.apply(grads, variables)
        self._track_losses(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _run_train_step(self, data, want_logs: bool = True) -> dict | None:
        """`train_step`, through the step compiler unless the model runs eagerly
        (a custom `train_step`, `run_eagerly`, or tf.config's switch).

        Returns:
            The logs; or None when `want_logs` is False and a compiled step
            left them uncomputed (the batch's loss is in `_last_batch_loss`).
        """
        compiler = self._compiler_for("train_step")
        if compiler is None:
            return self.train_step(data)
        return compiler.train(data, want_logs)

    def _run_test_step(self, data) -> dict:
        """`test_step`, compiled like the training step (see
        `_run_train_step`) unless the model runs eagerly or overrides it."""
        compiler = self._compiler_for("test_step")
        return self.test_step(data) if compiler is None else compiler.test(data)

    def _run_predict_step(self, data):
        """`predict_step`, compiled like the training step (see
        `_run_train_step`) unless the model runs eagerly or overrides it."""
        compiler = self._compiler_for("predict_step")
        return self.predict_step(data) if compiler is None else \
            compiler.predict(data)

    def _compiler_for(self, step: str):
        """The model's StepCompiler, or None when `step` ("train_step",
        "test_step", "predict_step") runs eagerly: overridden by a subclass,
        `run_eagerly`, or tf.config's `run_functions_eagerly`."""
        if self.run_eagerly or getattr(type(self), step) is not \
                getattr(TrainerBase, step) or functions_run_eagerly():
            return None
        compiler = self.__dict__.get("_step_compiler")
        if compiler is None:
            compiler = self._step_compiler = StepCompiler(self)
        return compiler

    def test_step(self, data) -> dict:
        """Loss and metrics on a batch, without updating the weights."""
        x, y, sample_weight = data_module.unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_losses(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """Model outputs for a batch."""
        x, _, _ = data_module.unpack_x_y_sample_weight(data)
        with no_grad():
            return self(x, training=False)

    def _check_compiled(self, what: str) -> None:
        if not self.compiled or self.compiled_loss is None:
            raise RuntimeError(
                f"You must call compile(optimizer, loss) before {what}(); e.g. "
                f"model.compile(optimizer='adam', loss='mse').")
