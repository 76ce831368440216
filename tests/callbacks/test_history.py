"""History: per-epoch record, `model.history`, reuse across fits."""

import pytest

from baro.callbacks import CallbackList, History
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


def test_history_records_each_epoch_in_order(model):
    epoch_logs = [{"loss": 1.0 / (e + 1), "val_loss": 2.0 / (e + 1)} for e in range(3)]
    callbacks = run_fit([], model, epoch_logs)
    history = model.history
    assert isinstance(history, History) and history in callbacks.callbacks
    assert history.epoch == [0, 1, 2]
    assert history.history == {"loss": [1.0, 0.5, 1.0 / 3],
                               "val_loss": [2.0, 1.0, 2.0 / 3]}
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}


def test_history_is_reassigned_to_the_model_after_each_epoch(model):
    history = History()
    callbacks = CallbackList([history], model=model)
    model.history = None
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"loss": 1.0})
    assert model.history is history


def test_epochs_restart_on_train_begin_but_values_accumulate():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 0.5})
    assert history.epoch == [0]
    assert history.history == {"loss": [1.0, 0.5]}


def test_keys_appearing_late_get_their_own_list():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_epoch_end(1, {"loss": 0.5, "val_loss": 0.7})
    assert history.history == {"loss": [1.0, 0.5], "val_loss": [0.7]}
