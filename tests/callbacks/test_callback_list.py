"""CallbackList: Keras 3's constructor, dispatch order, log conversion."""

import numpy as np
import pytest

from baro.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    ProgbarLogger,
)
from baro.callbacks.callback import HOOK_NAMES
from tests.callbacks.callback_fakes import FakeModel


@pytest.fixture
def model():
    return FakeModel()


class Recorder(Callback):
    """Journals (name, hook, index or None, logs) for every hook call."""

    def __init__(self, name, journal):
        super().__init__()
        for hook in HOOK_NAMES:
            setattr(self, hook, self._make_hook(name, hook, journal))

    @staticmethod
    def _make_hook(name, hook, journal):
        takes_index = "batch" in hook or "epoch" in hook

        def record(*args, **kwargs):
            index = args[0] if takes_index else None
            logs = kwargs["logs"] if "logs" in kwargs else args[-1]
            journal.append((name, hook, index, logs))
        return record


def test_every_hook_reaches_every_callback_in_order():
    journal = []
    callbacks = CallbackList([Recorder("a", journal), Recorder("b", journal)])
    for name in HOOK_NAMES:
        journal.clear()
        if "batch" in name or "epoch" in name:
            getattr(callbacks, name)(4, {"loss": 1.0})
            expected_index = 4
        else:
            getattr(callbacks, name)({"loss": 1.0})
            expected_index = None
        assert [(who, hook) for who, hook, _, _ in journal] == \
            [("a", name), ("b", name)]
        assert all(index == expected_index for _, _, index, _ in journal)
        assert all(logs == {"loss": 1.0} for _, _, _, logs in journal)


def test_missing_logs_become_an_empty_dict():
    journal = []
    callbacks = CallbackList([Recorder("a", journal)])
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_end(0)
    assert [logs for *_, logs in journal] == [{}, {}, {}]


def test_add_history_and_progbar_append_them_once():
    callbacks = CallbackList(add_history=True, add_progbar=True)
    assert [type(cb) for cb in callbacks] == [History, ProgbarLogger]
    history, progbar = History(), ProgbarLogger()
    callbacks = CallbackList([progbar, history], add_history=True, add_progbar=True)
    assert callbacks.callbacks == [progbar, history]
    assert len(CallbackList()) == 0


def test_model_and_params_reach_every_callback_and_history_goes_on_the_model(model):
    stopper = EarlyStopping()
    callbacks = CallbackList([stopper], add_history=True, model=model,
                             verbose=2, epochs=3, steps=10)
    assert all(cb.model is model for cb in callbacks)
    assert all(cb.params == {"verbose": 2, "epochs": 3, "steps": 10}
               for cb in callbacks)
    assert isinstance(model.history, History)
    assert model.history is callbacks.callbacks[-1]
    late = Callback()
    callbacks.append(late)
    assert late.model is model and late.params["epochs"] == 3


def test_without_params_callbacks_keep_none():
    callback = Callback()
    CallbackList([callback])
    assert callback.params is None and callback.model is None


def test_nested_lists_are_flattened():
    a, b, c = Callback(), Callback(), Callback()
    assert CallbackList([a, [b, (c,)]]).callbacks == [a, b, c]
    assert CallbackList(a).callbacks == [a]


def test_non_callbacks_are_rejected_with_a_hint():
    with pytest.raises(TypeError, match=r"received <function.*LambdaCallback"):
        CallbackList([lambda epoch, logs: None])
    with pytest.raises(TypeError, match="received 3 of type int"):
        CallbackList([Callback()]).append(3)


def test_batch_end_logs_become_sorted_python_floats():
    journal = []
    callbacks = CallbackList([Recorder("a", journal)])
    logs = {"loss": np.float32(0.25), "accuracy": np.array(0.5),
            "nested": {"mae": np.float64(2.0)}, "name": "text"}
    for hook in ("on_train_batch_end", "on_test_batch_end"):
        journal.clear()
        getattr(callbacks, hook)(0, logs)
        seen = journal[0][3]
        assert list(seen) == ["accuracy", "loss", "name", "mae"]
        assert seen == {"accuracy": 0.5, "mae": 2.0, "loss": 0.25, "name": "text"}
        assert all(type(seen[k]) is float for k in ("accuracy", "mae", "loss"))


def test_predict_batch_logs_keep_their_arrays():
    journal = []
    outputs = np.ones((2, 3))
    CallbackList([Recorder("a", journal)]).on_predict_batch_end(
        0, {"outputs": outputs})
    assert journal[0][3]["outputs"] is outputs


class _AddsEntry(Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs["extra"] = 1.0


def test_epoch_end_logs_are_shared_so_later_callbacks_see_additions(model):
    history = History()
    callbacks = CallbackList([_AddsEntry(), history], model=model)
    callbacks.on_train_begin()
    logs = {"loss": 0.5}
    callbacks.on_epoch_end(0, logs)
    assert history.history == {"loss": [0.5], "extra": [1.0]}
    assert logs == {"loss": 0.5, "extra": 1.0}
