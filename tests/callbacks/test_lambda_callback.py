"""LambdaCallback: functions attached to hooks by name."""

import pytest

from baro.callbacks import CallbackList, LambdaCallback
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


def test_named_hooks_are_called_with_keras_arguments(model):
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin",)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(
            ("batch_end", batch, logs["loss"])),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch,
                                                       logs["loss"])),
        on_train_end=lambda logs: calls.append(("train_end", logs["loss"])),
    )
    run_fit([callback], model, [{"loss": 0.5}], steps=2)
    assert calls == [("train_begin",), ("epoch_begin", 0), ("batch_begin", 0),
                     ("batch_end", 0, 1.0), ("batch_begin", 1),
                     ("batch_end", 1, 1.0), ("epoch_end", 0, 0.5),
                     ("train_end", 0.5)]


def test_other_hooks_by_keyword_including_legacy_aliases():
    calls = []
    callback = LambdaCallback(on_test_end=lambda logs: calls.append("test_end"),
                              on_batch_end=lambda batch, logs: calls.append(batch))
    callbacks = CallbackList([callback])
    callbacks.on_test_end({})
    callbacks.on_train_batch_end(7, {})
    callbacks.on_predict_end({})
    assert calls == ["test_end", 7]


def test_unknown_hook_names_and_non_callables_are_rejected():
    with pytest.raises(TypeError, match=r"unknown hook name\(s\) \['on_epoch_start'\]"):
        LambdaCallback(on_epoch_start=print)
    with pytest.raises(TypeError, match="callable for on_epoch_end, received 3"):
        LambdaCallback(on_epoch_end=3)
