"""The epoch and batch loops of fit / evaluate / predict, and the *_on_batch calls."""

from __future__ import annotations

import importlib
import math
import warnings

import numpy as np

from baro.callbacks import CallbackList, TrainingDoctor, training_doctor
from baro.training import data as data_module
from baro.training.trainer import NaNLossWarning, TrainerBase, _verbosity

# TrainingDoctor (a callback) examines through baro.diagnostics, which sits above
# training: it is named here and imported on the doctor's first use (the same
# indirection as baro.saving.formats), so `import baro` stays lean.
training_doctor.register_provider(
    lambda: importlib.import_module("baro.diagnostics"))

class Trainer(TrainerBase):
    """compile / fit / evaluate / predict, mixed into `Model`."""

    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto",
            callbacks=None, validation_split: float = 0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, doctor: bool = False):
        """Trains for `epochs` epochs; returns the `History` callback.

        `validation_split` holds out the *last* fraction of the arrays, taken
        before shuffling (as Keras does). `validation_freq` is an int (every n
        epochs) or a list of epochs (1-based). `class_weight` maps class ->
        weight; `sample_weight` weighs samples.
        `doctor=True` (baro's own) adds a `TrainingDoctor`, which explains the
        training problems it sees; callbacks whose `wants_training_data` is
        True get the training (x, y) through `set_training_data` first.

        Raises:
            RuntimeError: If the model is not compiled.
            ValueError: For inconsistent data (e.g. x and y lengths differ),
                before any training.
        """
        self._check_compiled("fit")
        if validation_split and validation_data is None:
            if not isinstance(x, (np.ndarray, list, tuple, dict)) and \
                    not hasattr(x, "shape"):
                raise ValueError("validation_split needs array inputs; pass "
                                 "validation_data for generators.")
            (x, y, sample_weight), validation_data = \
                data_module.train_validation_split((x, y, sample_weight),
                                                   validation_split)
        batches = data_module.make_batches(x, y, sample_weight, batch_size, shuffle,
                                           class_weight, steps_per_epoch)
        val_batches = None
        if validation_data is not None:
            vx, vy, vsw = data_module.unpack_x_y_sample_weight(
                validation_data if isinstance(validation_data, tuple)
                else (validation_data,))
            val_batches = data_module.make_batches(
                vx, vy, vsw, validation_batch_size or batch_size, False, None,
                validation_steps)
        verbose = _verbosity(verbose)
        if doctor:
            callbacks = [c for c in (callbacks, TrainingDoctor()) if c is not None]
        callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                 model=self, verbose=verbose, epochs=epochs,
                                 steps=batches.num_batches)
        for callback in callbacks:
            if getattr(callback, "wants_training_data", False):
                callback.set_training_data(x, y)
        self.stop_training = False
        self._initial_epoch = None
        callbacks.on_train_begin()
        start = self._initial_epoch if self._initial_epoch is not None \
            else initial_epoch
        epoch_logs: dict = {}
        # Without batch-level callbacks a compiled step skips computing logs;
        # they are computed once at the epoch's end (as Keras does).
        batch_hooks = callbacks.uses_train_batch_hooks
        for epoch in range(start, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs, deferred = {}, False
            for step, batch in enumerate(batches.epoch()):
                if batch_hooks:
                    callbacks.on_train_batch_begin(step)
                result = self._run_train_step(batch, want_logs=batch_hooks)
                if result is None:  # a compiled step: logs deferred
                    deferred = True
                    loss = self.__dict__["_last_batch_loss"]
                else:
                    logs, deferred = result, False
                    loss = logs.get("loss", 0.0)
                if not math.isfinite(loss):
                    self._stop_on_nan(epoch, step, loss)
                if batch_hooks:
                    callbacks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            batches.on_epoch_end()
            if deferred:
                logs = self.get_metrics_result()
            epoch_logs = dict(logs)
            if val_batches is not None and self._validate_now(epoch, validation_freq):
                val_logs = self._run_evaluation(val_batches, callbacks)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callbacks.on_train_end(epoch_logs)
        return self.history

    def _stop_on_nan(self, epoch: int, step: int, value) -> None:
        warnings.warn(
            f"fit: the loss became {value} at epoch {epoch + 1}, batch {step + 1}; "
            "training stopped. Likely causes: a learning rate that is too high, "
            "unscaled inputs, or log(0) in a custom loss (use from_logits=True).",
            NaNLossWarning, stacklevel=3)
        self.stop_training = True

    @staticmethod
    def _validate_now(epoch: int, freq) -> bool:
        if isinstance(freq, int):
            return (epoch + 1) % freq == 0
        return (epoch + 1) in freq

    def _run_evaluation(self, batches, callbacks) -> dict:
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = {}
        for step, batch in enumerate(batches.epoch()):
            callbacks.on_test_batch_begin(step)
            logs = self._run_test_step(batch)
            callbacks.on_test_batch_end(step, logs)
        callbacks.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None,
                 return_dict: bool = False):
        """Loss and metrics over the data.

        Returns:
            The loss alone when there are no metrics, else `[loss, *metrics]` in
            `metrics_names` order; a dict when `return_dict`.
        """
        self._check_compiled("evaluate")
        batches = data_module.make_batches(x, y, sample_weight, batch_size, False,
                                           None, steps)
        verbose = _verbosity(verbose)
        callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=1, steps=batches.num_batches)
        logs = self._run_evaluation(batches, callbacks)
        return self._format_result(logs, return_dict)

    def _format_result(self, logs: dict, return_dict: bool):
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None,
                callbacks=None):
        """Model outputs for every sample, as NumPy (lists/dicts for several)."""
        verbose = _verbosity(verbose)
        if (type(x) is np.ndarray and callbacks is None and verbose == 0
                and steps is None and 0 < len(x) <= (batch_size or 32)):
            # One batch and nothing watching: no batching or callback machinery
            # (the result is the same, a fresh array).
            compiler = self._compiler_for("predict_step")
            if compiler is not None:
                found = compiler.predict_array(x)
                if found is not None:
                    return found
            result = self._run_predict_step((x,))
            return _concatenate([data_module.map_structure(lambda t: t.numpy(),
                                                           result)])
        batches = data_module.make_batches(x, None, None, batch_size, False, None,
                                           steps)
        callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=1, steps=batches.num_batches)
        callbacks.on_predict_begin()
        outputs = []
        for step, batch in enumerate(batches.epoch()):
            callbacks.on_predict_batch_begin(step)
            result = self._run_predict_step(batch)
            outputs.append(data_module.map_structure(lambda t: t.numpy(), result))
            callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("predict received no batches.")
        return _concatenate(outputs)

    # -- Keras 2 names ---------------------------------------------------------------
    def fit_generator(self, generator, *args, **kwargs):
        """Keras 2's `fit_generator`: `fit` takes generators now."""
        _deprecated("fit_generator", "fit")
        return self.fit(generator, *args, **kwargs)

    def evaluate_generator(self, generator, *args, **kwargs):
        """Keras 2's `evaluate_generator`: `evaluate` takes generators now."""
        _deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, *args, **kwargs)

    def predict_generator(self, generator, *args, **kwargs):
        """Keras 2's `predict_generator`: `predict` takes generators now."""
        _deprecated("predict_generator", "predict")
        return self.predict(generator, *args, **kwargs)

    # -- single batches ------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict: bool = False):
        """One gradient step on one batch; returns this batch's loss and metrics.

        The metrics are reset first, as Keras 3 does (keras-team/keras#22617):
        the result is the loss computed in this step's forward pass (before
        the update) and the metrics of this batch alone, not a running mean
        over earlier calls. `class_weight` multiplies `sample_weight`.

        Returns:
            The loss alone when there are no metrics, else `[loss, *metrics]`
            in `metrics_names` order; a dict when `return_dict`.
        """
        self._check_compiled("train_on_batch")
        if class_weight is not None:
            weights = data_module.class_weight_to_sample_weight(
                data_module.to_arrays(y), class_weight)
            sample_weight = weights if sample_weight is None else \
                np.asarray(sample_weight) * weights
        data_module.check_cardinality(data_module.to_arrays(x),
                                      data_module.to_arrays(y), sample_weight)
        self.reset_metrics()
        logs = self._run_train_step((data_module.to_arrays(x),
                                     data_module.to_arrays(y), sample_weight))
        return self._format_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """Loss and metrics of one batch (metrics reset first, as in Keras 3;
        see `train_on_batch`)."""
        self._check_compiled("test_on_batch")
        self.reset_metrics()
        logs = self._run_test_step((data_module.to_arrays(x),
                                    data_module.to_arrays(y), sample_weight))
        return self._format_result(logs, return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as NumPy."""
        result = self._run_predict_step((data_module.to_arrays(x),))
        return data_module.map_structure(lambda t: t.numpy(), result)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"`Model.{old}` is deprecated and will be removed in a future "
                  f"version. Please use `Model.{new}`, which supports generators.",
                  UserWarning, stacklevel=3)


def _concatenate(outputs: list):
    first = outputs[0]
    if isinstance(first, dict):
        return {k: np.concatenate([o[k] for o in outputs]) for k in first}
    if isinstance(first, (list, tuple)):
        return [np.concatenate([o[i] for o in outputs]) for i in range(len(first))]
    return np.concatenate(outputs)

