"""Compiled training and evaluation steps: trace once per input signature, replay.

`fit` calls the model, the loss, the engine and the optimizer for every batch;
for a small model the Python around the arithmetic costs more than the
arithmetic. Keras compiles the step with `tf.function`; baro does the same with
its own tracer: the first batch of a given signature (shapes and dtypes of x, y
and sample weights) runs the ordinary eager step while `core.tracing` records
every op it applies, and later batches replay that record as a `core.plan.Plan`
on raw arrays: forward, loss, the backward of the same ops, then the optimizer.
No Tensors, no graph nodes, no layer `__call__` logic.

The replay computes exactly what the eager step computes (the same Function
objects run the same NumPy calls in the same order), so results are
bit-identical; tests check it. What cannot be replayed is detected while
tracing and runs eagerly instead: Python reading a tensor's value (`.numpy()`,
`if tensor:`) inside the model or loss, a variable assigned a value computed
outside the traced ops, a custom `train_step`. `compile(run_eagerly=True)` (or
`model.run_eagerly = True`, or `baro.config.run_functions_eagerly(True)`) turns
compilation off, for debugging.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import threading
import warnings

import numpy as np

from baro.backend.arrays import convert_to_array
from baro.core import tracing
from baro.core.grad_mode import no_grad
from baro.core.plan import Plan
from baro.core.tensor import Tensor
from baro.core.variable import structure_version
from baro.ops import parallel
from baro.training import data as data_module


def _leaves(structure) -> list:
    """The arrays of a (nested list/tuple/dict) batch structure, in order."""
    if structure is None:
        return []
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _leaves(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _leaves(structure[key])]
    return [structure]


def _rebuild(structure, values: iter):
    """`structure` with its leaves replaced, in `_leaves` order, from `values`."""
    if structure is None:
        return None
    if isinstance(structure, (list, tuple)):
        return type(structure)(_rebuild(item, values) for item in structure)
    if isinstance(structure, dict):
        rebuilt = {key: _rebuild(structure[key], values) for key in sorted(structure)}
        return {key: rebuilt[key] for key in structure}
    return next(values)


def _layout(structure):
    """The batch's structure with leaves replaced by their shape and dtype."""
    if type(structure) is np.ndarray:  # the common case, first
        return (structure.shape, structure.dtype.char)
    if structure is None:
        return None
    if isinstance(structure, (list, tuple)):
        return (type(structure).__name__,) + tuple(_layout(i) for i in structure)
    if isinstance(structure, dict):
        return ("dict",) + tuple((k, _layout(structure[k])) for k in sorted(structure))
    array = structure.data if isinstance(structure, Tensor) else structure
    shape = getattr(array, "shape", None)
    dtype = getattr(array, "dtype", None)
    return (type(array).__name__, shape, str(dtype))


def _same_arrays(arrays: list, reference: list) -> bool:
    """Whether the batch holds exactly the traced values (same shapes and
    dtypes known). Bit patterns are compared: equal bits replay to equal bits
    (NaN included), and -0.0 against 0.0 merely retraces."""
    for a, b in zip(arrays, reference, strict=True):
        if a is b:
            continue
        if type(a) is np.ndarray and type(b) is np.ndarray:
            if a.tobytes() != b.tobytes():
                return False
        elif not np.array_equal(a, b):
            return False
    return True


class _InputSpec:
    """What a replayed op's backward reads of an input: whether it needs a
    gradient, its shape, ndim and dtype (not its values)."""

    __slots__ = ("requires_grad", "shape", "ndim", "dtype")

    def __init__(self, tensor) -> None:
        self.requires_grad = tensor.requires_grad
        self.shape, self.ndim, self.dtype = tensor.shape, tensor.ndim, tensor.dtype


_NO_THREAD_LIMIT = contextlib.nullcontext()  # reusable: no object per step


def _threads(replay):
    """The BLAS thread context a replay runs in (see `_Replay.sliced`)."""
    return parallel.one_blas_thread() if replay.sliced else _NO_THREAD_LIMIT


class _Replay:
    """One traced step: the plan, and which slots hold what."""

    def __init__(self, plan: Plan, loss_slot: int, pred_slots: list,
                 part_slots: dict, trainable: list, trainable_slots: list,
                 pred_structure) -> None:
        self.plan = plan
        self.loss_slot = loss_slot
        self.pred_slots = pred_slots
        self.part_slots = part_slots
        self.trainable = trainable
        self.trainable_slots = trainable_slots
        self.pred_structure = pred_structure
        # Until a second trace agrees (see StepCompiler._trace_train), replay
        # only for the inputs traced: copies of them.
        self.verified = False
        self.reference: list = []
        self.used = 0  # when it was last replayed (StepCompiler._ticks)
        # Whether the step's ops slice the batch over threads (convolutions,
        # pooling, large Dense batches, RNNs): then the whole replay runs with
        # one BLAS thread.
        self.sliced = False


class StepCompiler:
    """Caches a replayable plan per input signature for one model.

    A cache entry of None means "this signature runs eagerly" (tracing found
    something a replay cannot reproduce); `reasons` says why, for diagnostics.
    """

    # Signatures kept at most; the least recently replayed goes first. Inputs
    # of ever-new shapes (unpadded sequences) would otherwise keep a plan, and
    # its buffers, each.
    MAX_SIGNATURES = 32

    def __init__(self, model) -> None:
        self.model = model
        self.cache: dict = {}
        self.reasons: dict = {}
        self.version = structure_version[0]
        # A replay runs the plan's Function objects, which keep per-call state
        # (masks, saved arrays): one step at a time per model, whatever the
        # threads calling predict or evaluate (a served model).
        self.lock = threading.RLock()
        self.evicted = 0
        self._ticks = itertools.count(1)  # last use of each replay, for eviction
        from baro.training.trainer import TrainerBase  # (imports this module)

        # A subclass's own compute_metrics is called as train_step would.
        self.custom_metrics = \
            type(model).compute_metrics is not TrainerBase.compute_metrics

    def __deepcopy__(self, memo):
        # A copied model (copy.deepcopy(model)) starts without plans: they hold
        # the original's op objects, and a lock cannot be copied.
        return StepCompiler(copy.deepcopy(self.model, memo))

    def key(self, x, y, sample_weight, training):
        """The cache key of a batch: the step kind (True: train, False:
        predict, "test") and the batch's layout; clears the cache when the
        model's variables changed structure."""
        version = structure_version[0]
        if version != self.version:
            # Variables were made, frozen or added: every plan may be stale.
            self.cache.clear()
            self.version = version
        return (training, _layout(x), _layout(y), _layout(sample_weight))

    # -- training ------------------------------------------------------------------
    def train(self, data, want_logs: bool = True) -> dict | None:
        """See `_train`; one call at a time per model (`lock`)."""
        with self.lock:
            return self._train(data, want_logs)

    def _train(self, data, want_logs: bool = True) -> dict | None:
        """One training step on `data`, compiled when possible (see module)."""
        if type(data) is tuple and len(data) == 3 and data[2] is None and \
                type(data[0]) is np.ndarray and type(data[1]) is np.ndarray and \
                structure_version[0] == self.version:
            # fit's usual batch (two arrays): the key and feeds of the general
            # path below, without walking structures.
            x, y = data[0], data[1]
            replay = self.cache.get((True, (x.shape, x.dtype.char),
                                     (y.shape, y.dtype.char), None))
            if replay and replay.verified:
                feeds = [convert_to_array(x), convert_to_array(y)]
                return self._replay_train(replay, feeds, x, y, None, want_logs)
        x, y, sample_weight = data_module.unpack_x_y_sample_weight(data)
        key = self.key(x, y, sample_weight, True)
        replay, feeds = self._lookup(key, x, y, sample_weight)
        if replay is None:
            return self.model.train_step(data)
        if feeds is not None:
            return self._replay_train(replay, feeds, x, y, sample_weight, want_logs)
        return self._trace_train(key, x, y, sample_weight, replay or None)

    def _lookup(self, key, *parts) -> tuple:
        """(cache entry, feeds) for a batch: the entry is None (the signature
        runs eagerly), False (not traced yet) or a `_Replay`; the feeds are
        given only when that replay may serve these inputs."""
        replay = self.cache.get(key, False)
        if not replay:
            return replay, None
        feeds = [convert_to_array(a) for part in parts for a in _leaves(part)]
        if replay.verified or _same_arrays(feeds, replay.reference):
            replay.used = next(self._ticks)
            return replay, feeds
        return replay, None

    @staticmethod
    def _tensors(x, y, sample_weight) -> tuple:
        """The batch as Tensors for tracing: (feeds, x, y, sample_weight)."""
        feeds = [Tensor._wrap(convert_to_array(a)) for a in
                 _leaves(x) + _leaves(y) + _leaves(sample_weight)]
        values = iter(feeds)
        return (feeds, _rebuild(x, values), _rebuild(y, values),
                _rebuild(sample_weight, values))

    def _trace_train(self, key, x, y, sample_weight, previous) -> dict:
        """The eager step, recorded; stores the plan (or None) under `key`.

        The first trace of a signature is kept unverified: it is replayed only
        for the very same input values. The next batch with other values is
        traced again; if both traces agree (`Plan.same_as`) the plan is
        verified and replayed from then on, otherwise the signature runs
        eagerly (the step read input values in Python, or drew random numbers
        outside any op).
        """
        model = self.model
        feeds, tx, ty, tsw = self._tensors(x, y, sample_weight)
        sliced = parallel.sliced_calls()
        with tracing.trace() as record:
            y_pred = model(tx, training=True)
            loss = model.compute_loss(tx, ty, y_pred, tsw)
            impure = list(tracing.impure)
        logs = model._finish_train_step(loss, tx, ty, y_pred, tsw,
                                        retain_graph=True)
        replay = self._make_replay(record, impure, feeds, loss, y_pred, key)
        if replay is not None:
            replay.batch_size = int(np.shape(data_module.flatten(x)[0])[0])
            replay.sliced = parallel.sliced_calls() != sliced
            # The eager step kept its graph (retain_graph) for the plan; a
            # replay recomputes what ops save, and backward rules read only
            # requires_grad, shape and ndim of their inputs: the traced
            # arrays (a step's activations) can go.
            replay.plan.release = "backward"  # one backward per replay
            replay.plan.forget_saved()
            for function, _, _ in replay.plan.steps:
                # (baro's own rules only: a user's Function may read more.)
                if type(function.inputs) is tuple and function.inputs and \
                        type(function).__module__.startswith("baro."):
                    function.inputs = tuple(_InputSpec(t) for t in function.inputs)
        self._store(key, replay, previous)
        return logs

    def _store(self, key, fresh, previous) -> None:
        """Caches `fresh` under `key`; a second trace (`previous` given) is
        verified against the first, or the signature is left to run eagerly."""
        if fresh is not None and previous is not None:
            fresh.verified = previous.plan.same_as(fresh.plan)
            if not fresh.verified:
                self.reasons[key] = (
                    "two batches traced different ops or constants: the step "
                    "depends on input values in Python ("
                    f"{previous.plan.difference(fresh.plan)})")
                fresh = None
            else:
                fresh.reference = []  # verified: replayed for any values now
        self.cache.pop(key, None)
        if len(self.cache) >= self.MAX_SIGNATURES:
            # The least recently replayed goes (eager entries, never replayed,
            # first): a signature in use every step stays.
            del self.cache[min(self.cache, key=lambda k: getattr(
                self.cache[k], "used", 0))]
            self.evicted += 1
            if self.evicted == 1:
                warnings.warn(
                    f"{self.model.name}: more than {self.MAX_SIGNATURES} input "
                    "signatures (shapes and dtypes of a batch) were traced, so "
                    "old ones are dropped and traced again when they come "
                    "back. Pad or bucket inputs to a few fixed shapes, or use "
                    "compile(run_eagerly=True).", RuntimeWarning, stacklevel=4)
        self.cache[key] = fresh

    def _make_replay(self, record, impure, feeds, loss, y_pred, key,
                     trainable: list | None = None):
        model = self.model
        if impure:
            self.reasons[key] = impure[0]
            return None
        preds = _leaves(y_pred)
        parts = getattr(model, "_last_output_losses", {}) or {}
        if not all(isinstance(t, Tensor) for t in preds + list(parts.values())):
            self.reasons[key] = "the model returned something other than tensors"
            return None
        if trainable is None:
            trainable = list(model.trainable_weights)
        plan = Plan(record, feeds, [loss, *preds, *parts.values()],
                    variables=list(model.weights))
        replay = _Replay(plan, plan.slot(loss), [plan.slot(t) for t in preds],
                         {name: plan.slot(t) for name, t in parts.items()},
                         trainable, [plan.slot(v) for v in trainable], y_pred)
        replay.reference = [t.data.copy() for t in feeds]
        return replay

    # -- prediction ----------------------------------------------------------------
    def predict_array(self, x: np.ndarray):
        """See `_predict_array`; one call at a time per model (`lock`)."""
        with self.lock:
            return self._predict_array(x)

    def _predict_array(self, x: np.ndarray):
        """The model's output for one NumPy batch from a replayable plan, as a
        fresh array; None when there is none yet (or the model has several
        outputs): then `predict` traces or runs eagerly. The lean path of
        `Model.predict` on a single batch (one-sample latency)."""
        if structure_version[0] != self.version:
            return None
        replay = self.cache.get((False, (x.shape, x.dtype.char), None, None))
        if not replay or len(replay.pred_slots) != 1 or type(
                replay.pred_structure) is not Tensor or not (
                replay.verified or _same_arrays([x], replay.reference)):
            return None
        replay.used = next(self._ticks)
        with _threads(replay):
            slots = replay.plan.run([x])
        return np.array(slots[replay.pred_slots[0]], copy=True)

    def predict(self, data):
        """See `_predict`; one call at a time per model (`lock`)."""
        with self.lock:
            return self._predict(data)

    def _predict(self, data):
        """`predict_step` on `data`, compiled like the training step."""
        model = self.model
        x, _, _ = data_module.unpack_x_y_sample_weight(data)
        key = self.key(x, None, None, False)
        replay, feeds = self._lookup(key, x)
        if replay is None:
            return model.predict_step(data)
        if feeds is not None:
            with _threads(replay):
                slots = replay.plan.run(feeds)
            outputs = [Tensor._wrap(slots[s]) for s in replay.pred_slots]
            return _rebuild(replay.pred_structure, iter(outputs))
        feeds, tx, _, _ = self._tensors(x, None, None)
        sliced = parallel.sliced_calls()
        with no_grad(), tracing.trace() as record:
            y_pred = model(tx, training=False)
            impure = list(tracing.impure)
        preds = _leaves(y_pred)
        fresh = None
        if impure:
            self.reasons[key] = impure[0]
        elif not all(isinstance(t, Tensor) for t in preds):
            self.reasons[key] = "the model returned something other than tensors"
        else:
            plan = Plan(record, feeds, preds, variables=list(model.weights))
            plan.release = "forward"  # never run backward
            plan.forget_saved()  # the trace's arrays can go
            fresh = _Replay(plan, None, [plan.slot(t) for t in preds], {}, [], [],
                            y_pred)
            fresh.reference = [t.data.copy() for t in feeds]
            fresh.sliced = parallel.sliced_calls() != sliced
        self._store(key, fresh, replay or None)
        return y_pred

    # -- evaluation ----------------------------------------------------------------
    def test(self, data) -> dict:
        """See `_test`; one call at a time per model (`lock`)."""
        with self.lock:
            return self._test(data)

    def _test(self, data) -> dict:
        """`test_step` on `data` (evaluate, validation), compiled like the
        training step: the traced forward pass and loss, replayed."""
        model = self.model
        x, y, sample_weight = data_module.unpack_x_y_sample_weight(data)
        key = self.key(x, y, sample_weight, "test")
        replay, feeds = self._lookup(key, x, y, sample_weight)
        if replay is None:
            return model.test_step(data)
        if feeds is not None:
            with _threads(replay):
                slots = replay.plan.run(feeds)
            return self._finish(replay, slots, x, y, sample_weight, True)
        feeds, tx, ty, tsw = self._tensors(x, y, sample_weight)
        sliced = parallel.sliced_calls()
        # What TrainerBase.test_step does, traced.
        with no_grad(), tracing.trace() as record:
            y_pred = model(tx, training=False)
            loss = model.compute_loss(tx, ty, y_pred, tsw, training=False)
            impure = list(tracing.impure)
        model._track_losses(loss, tx)
        logs = model.compute_metrics(tx, ty, y_pred, tsw)
        fresh = self._make_replay(record, impure, feeds, loss, y_pred, key,
                                  trainable=[])
        if fresh is not None:
            fresh.plan.release = "forward"  # never run backward
            fresh.plan.forget_saved()  # the trace's arrays can go
            fresh.batch_size = int(np.shape(data_module.flatten(x)[0])[0])
            fresh.sliced = parallel.sliced_calls() != sliced
        self._store(key, fresh, replay or None)
        return logs

    def _replay_train(self, replay: _Replay, feeds, x, y, sample_weight,
                      want_logs: bool) -> dict | None:
        model = self.model
        replay.used = next(self._ticks)
        gradients = replay.__dict__.get("gradients")
        if gradients is None:
            # The first replay generates the backward code; later ones call it
            # directly (Plan.gradient_function), without the dispatch.
            plan = replay.plan
            with _threads(replay):
                slots = plan.run(feeds)
                grads = plan.gradients(slots, replay.loss_slot,
                                       replay.trainable_slots)
                model.optimizer._apply_traced(grads, replay.trainable)
            replay.run = plan.runner()
            replay.gradients = plan.gradient_function(replay.loss_slot,
                                                      replay.trainable_slots)
            plan.forget_saved()  # as the generated backward does
        else:
            with _threads(replay):
                slots = replay.run(feeds)
                model.optimizer._apply_traced(gradients(slots), replay.trainable)
        # Plain attribute writes: Layer.__setattr__'s tracking is not needed.
        model.__dict__["_last_batch_loss"] = float(slots[replay.loss_slot])
        return self._finish(replay, slots, x, y, sample_weight, want_logs)

    def _finish(self, replay: _Replay, slots: list, x, y, sample_weight,
                want_logs: bool) -> dict | None:
        """The bookkeeping after a replayed step: losses, metrics, logs."""
        model = self.model
        loss = slots[replay.loss_slot]
        state = model.__dict__
        parts = replay.part_slots
        if parts:
            state["_last_output_losses"] = {
                name: Tensor._wrap(slots[s]) for name, s in parts.items()}
        elif state.get("_last_output_losses"):
            state["_last_output_losses"] = {}
        if parts and len(parts) > 1:
            model._track_losses(Tensor._wrap(loss), x, replay.batch_size)
        else:  # _track_losses for one loss, without its lookups
            model._loss_tracker.update_state(loss, sample_weight=replay.batch_size)
        compiled = model.compiled_metrics
        if not self.custom_metrics and compiled.built and not compiled.entries:
            # Nothing to update (compiled without metrics): no outputs to wrap.
            return model.get_metrics_result() if want_logs else None
        y_pred = _rebuild(replay.pred_structure,
                          iter([Tensor._wrap(slots[s]) for s in replay.pred_slots]))
        if self.custom_metrics:
            return model.compute_metrics(x, y, y_pred, sample_weight)
        model._update_metrics(y, y_pred, sample_weight)
        return model.get_metrics_result() if want_logs else None
