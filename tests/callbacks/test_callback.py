"""Callback base: hook set, legacy alias routing, model/params, mode inference."""

from types import SimpleNamespace

import pytest

from baro.callbacks import Callback
from baro.callbacks.callback import HOOK_NAMES, check_mode, resolve_mode
from tests.callbacks.callback_fakes import FakeModel


@pytest.fixture
def model():
    return FakeModel()

KERAS_HOOKS = {
    "on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
    "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
    "on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
    "on_predict_begin", "on_predict_end",
}


def test_base_has_exactly_the_keras_3_hooks_and_they_do_nothing():
    assert set(HOOK_NAMES) == KERAS_HOOKS
    callback = Callback()
    for name in HOOK_NAMES:
        hook = getattr(callback, name)
        if "batch" in name or "epoch" in name:
            assert hook(0, logs={"loss": 1.0}) is None
            assert hook(0) is None
        else:
            assert hook({"loss": 1.0}) is None
            assert hook() is None


def test_set_model_and_set_params():
    callback = Callback()
    assert callback.model is None and callback.params is None
    model = object()
    callback.set_model(model)
    callback.set_params({"epochs": 3, "steps": 5, "verbose": 1})
    assert callback.model is model
    assert callback.params == {"epochs": 3, "steps": 5, "verbose": 1}


class _Legacy(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(("begin", batch, logs))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("end", batch, logs))


def test_train_batch_hooks_call_the_legacy_aliases_like_keras():
    callback = _Legacy()
    callback.on_train_batch_begin(3, {})
    callback.on_train_batch_end(3, {"loss": 0.5})
    assert callback.calls == [("begin", 3, {}), ("end", 3, {"loss": 0.5})]


def test_test_and_predict_batch_hooks_do_not_call_the_legacy_aliases():
    callback = _Legacy()
    for name in ("on_test_batch_begin", "on_test_batch_end",
                 "on_predict_batch_begin", "on_predict_batch_end"):
        getattr(callback, name)(0, {})
    assert callback.calls == []


def _with_model(metrics=()):
    callback = Callback()
    callback.set_model(SimpleNamespace(metrics=list(metrics)))
    return callback


@pytest.mark.parametrize("monitor, expected", [
    ("loss", "min"), ("val_loss", "min"), ("val_mean_squared_error", "min"),
    ("categorical_crossentropy", "min"), ("val_mae", "min"), ("kl_divergence", "min"),
    ("accuracy", "max"), ("val_acc", "max"), ("val_binary_accuracy", "max"),
    ("auc", "max"), ("val_precision", "max"), ("recall", "max"),
    ("val_mean_iou", "max"), ("f1_score", "max"), ("r2_score", "max"),
])
def test_auto_mode_infers_direction_from_the_name(monitor, expected):
    assert resolve_mode(_with_model(), monitor, "auto") == expected


def test_auto_mode_prefers_the_model_metric_direction():
    score = SimpleNamespace(name="score", _direction="up")
    assert resolve_mode(_with_model([score]), "val_score", "auto") == "max"
    # Keras 3 keeps the compiled metrics one level down in a container.
    container = SimpleNamespace(name="compile_metrics", metrics=[
        SimpleNamespace(name="distance", _direction="down")])
    assert resolve_mode(_with_model([container]), "distance", "auto") == "min"


def test_explicit_mode_wins_over_the_name():
    assert resolve_mode(_with_model(), "accuracy", "min") == "min"
    assert resolve_mode(_with_model(), "loss", "max") == "max"


def test_unknown_monitor_in_auto_mode_raises_or_takes_the_default():
    with pytest.raises(ValueError, match=r"monitor='mystery'.*mode='max'"):
        resolve_mode(_with_model(), "mystery", "auto")
    assert resolve_mode(_with_model(), "mystery", "auto", default="min") == "min"
    assert resolve_mode(Callback(), "mystery", "auto", default="min") == "min"


def test_check_mode_rejects_unknown_modes():
    assert check_mode("X", "auto") == "auto"
    with pytest.raises(ValueError, match=r"X expects mode .* received 'MIN'"):
        check_mode("X", "MIN")
