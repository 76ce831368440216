"""ProgbarLogger: Keras 3's epoch headers and bars for fit, evaluate and predict."""

import re

import pytest

from baro.callbacks import CallbackList, ProgbarLogger
from baro.utils import progbar as progbar_module

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAR = "━" * 20


class Clock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        self.now += 0.5  # every reading is half a second later
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(progbar_module, "time", Clock())


def run_epochs(callbacks, epochs, steps, validation=False):
    callbacks.on_train_begin()
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        for batch in range(steps):
            callbacks.on_train_batch_begin(batch)
            callbacks.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1),
                                                 "accuracy": 0.5})
        logs = {"accuracy": 0.5, "loss": 0.25}
        if validation:
            callbacks.on_test_begin()
            for batch in range(2):
                callbacks.on_test_batch_end(batch, {"loss": 9.0})
            callbacks.on_test_end({"loss": 0.75})
            logs["val_loss"] = 0.75
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end(logs)


def lines(text):
    return ANSI.sub("", text).splitlines()


def test_fit_verbose_2_prints_header_and_one_line_per_epoch(capsys):
    callbacks = CallbackList(add_progbar=True, verbose=2, epochs=2, steps=3)
    run_epochs(callbacks, 2, 3, validation=True)
    out = lines(capsys.readouterr().out)
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2"
    pattern = (r"3/3 - \d+s - \d+m?s/step - accuracy: 0\.5000 - loss: 0\.2500 "
               r"- val_loss: 0\.7500")
    assert re.fullmatch(pattern, out[1]) and re.fullmatch(pattern, out[3])
    assert len(out) == 4  # the validation pass inside fit draws nothing


def test_fit_verbose_1_without_terminal_prints_final_bar_per_epoch(capsys):
    callbacks = CallbackList([ProgbarLogger()], verbose=1, epochs=2, steps=3)
    run_epochs(callbacks, 2, 3)
    out = capsys.readouterr().out
    assert "\r" not in out
    out = lines(out)
    assert out[0] == "Epoch 1/2" and len(out) == 4
    assert re.fullmatch(rf"3/3 {BAR} \d+s \d+m?s/step - accuracy: 0\.5000 - "
                        r"loss: 0\.2500", out[1])


def test_single_epoch_has_no_header_and_verbose_0_prints_nothing(capsys):
    run_epochs(CallbackList(add_progbar=True, verbose=2, epochs=1, steps=2), 1, 2)
    out = lines(capsys.readouterr().out)
    assert len(out) == 1 and out[0].startswith("2/2 - ")
    run_epochs(CallbackList(add_progbar=True, verbose=0, epochs=3, steps=2), 3, 2)
    assert capsys.readouterr().out == ""


def test_batch_logs_are_shown_as_given_not_averaged_again(monkeypatch, capsys):
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda: True)
    callbacks = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=10)
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    callbacks.on_train_batch_end(1, {"loss": 0.5})  # running mean already
    redraws = ANSI.sub("", capsys.readouterr().out).split("\r")[1:]
    assert redraws[-1].rstrip().endswith("- loss: 0.5000")


def test_unknown_steps_use_the_batch_count_as_target(capsys):
    callbacks = CallbackList(add_progbar=True, verbose=2, epochs=2, steps=None)
    run_epochs(callbacks, 2, 4)
    out = lines(capsys.readouterr().out)
    assert out[1].startswith("4/4 - ") and out[3].startswith("4/4 - ")


def test_auto_verbose_means_1(capsys):
    logger = ProgbarLogger()
    CallbackList([logger], verbose="auto", epochs=1, steps=2)
    assert logger.verbose == 1


def test_evaluate_draws_its_own_bar(capsys):
    callbacks = CallbackList(add_progbar=True, verbose=2, epochs=1, steps=2)
    callbacks.on_test_begin()
    for batch in range(2):
        callbacks.on_test_batch_begin(batch)
        callbacks.on_test_batch_end(batch, {"loss": 0.5})
    callbacks.on_test_end({"loss": 0.5})
    out = lines(capsys.readouterr().out)
    assert len(out) == 1 and re.fullmatch(r"2/2 - \d+s - .*step - loss: 0\.5000",
                                          out[0])


def test_predict_draws_a_bar_without_metrics(capsys):
    callbacks = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=3)
    callbacks.on_predict_begin()
    for batch in range(3):
        callbacks.on_predict_batch_begin(batch)
        callbacks.on_predict_batch_end(batch, {"outputs": [1.0, 2.0]})
    callbacks.on_predict_end()
    out = lines(capsys.readouterr().out)
    assert len(out) == 1 and re.fullmatch(rf"3/3 {BAR} \d+s \d+m?s/step", out[0])
