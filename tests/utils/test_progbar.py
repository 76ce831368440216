"""Progbar: Keras 3's line format, averaging, and output per verbose / display kind.

A scripted clock replaces `time` inside the module, so every duration in the
expected lines is exact (hand-computed from Keras's formulas).
"""

import re

import numpy as np
import pytest

import baro
from baro.utils import progbar as progbar_module
from baro.utils.progbar import Progbar, _format_eta, _format_rate, _format_value

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAR = "━" * 20


class Clock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(progbar_module, "time", fake)
    return fake


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda: True)


def run(bar, clock, steps, seconds_per_step, values=lambda step: None):
    for step in range(1, steps + 1):
        clock.now += seconds_per_step
        bar.update(step, values(step))


def test_verbose_1_without_a_terminal_prints_only_the_final_line(clock, capsys):
    bar = Progbar(50)
    run(bar, clock, 50, 0.025, lambda s: [("accuracy", 0.5), ("loss", 0.6931)])
    # 50 steps of 25 ms: 1.25 s in all (rounded "1s"), 25 ms per step.
    assert capsys.readouterr().out == \
        f"50/50 {BAR} 1s 25ms/step - accuracy: 0.5000 - loss: 0.6931\n"


def test_verbose_1_in_a_terminal_redraws_one_line_with_eta(clock, terminal, capsys):
    bar = Progbar(50, interval=0.0)
    run(bar, clock, 12, 0.5, lambda s: [("loss", 0.25)])
    out = capsys.readouterr().out
    lines = out.split("\r")[1:]
    assert len(lines) == 12 and "\n" not in out
    # ETA = 0.5 s/step * 38 steps left = 19 s; 12 * 20 / 50 = 4 cells done.
    assert ANSI.sub("", lines[-1]) == f"12/50 {BAR} 19s 500ms/step - loss: 0.2500"
    assert "\x1b[32m" + "━" * 4 + "\x1b[0m" in lines[-1]
    run_rest = [(step, [("loss", 0.25)]) for step in range(13, 51)]
    for step, values in run_rest:
        clock.now += 0.5
        bar.update(step, values)
    final = capsys.readouterr().out.split("\r")[-1]
    assert ANSI.sub("", final) == f"50/50 {BAR} 25s 500ms/step - loss: 0.2500\n"


def test_a_shorter_line_is_padded_to_cover_the_previous_one(clock, terminal, capsys):
    bar = Progbar(10, interval=0.0, stateful_metrics=["note"])
    clock.now = 1.0
    bar.update(1, [("note", "a long message")])
    bar._values.clear()
    clock.now = 2.0
    bar.update(2)
    first, second = capsys.readouterr().out.split("\r")[1:]
    assert len(ANSI.sub("", second)) == len(ANSI.sub("", first))
    # ETA: 1 s/step * 8 steps left.
    assert ANSI.sub("", second).rstrip() == f" 2/10 {BAR} 8s 1s/step"


def test_terminal_redraws_are_throttled_by_interval(clock, terminal, capsys):
    bar = Progbar(100, interval=1.0)
    run(bar, clock, 100, 0.1)
    # Steps at t = 0.1 .. 10.0 and one redraw per second of elapsed time, plus
    # the final line, which is never skipped.
    redraws = capsys.readouterr().out.count("\r")
    assert 10 <= redraws <= 12


def test_verbose_2_prints_one_line_at_the_end(clock, capsys):
    bar = Progbar(3, verbose=2)
    run(bar, clock, 3, 0.5, lambda s: [("loss", float(s))])
    # Mean of 1, 2, 3; 1.5 s elapsed ("2s" after rounding, as Keras's %.0f does).
    assert capsys.readouterr().out == "3/3 - 2s - 500ms/step - loss: 2.0000\n"


def test_verbose_0_prints_nothing(clock, capsys):
    bar = Progbar(3, verbose=0)
    run(bar, clock, 3, 0.5, lambda s: [("loss", 1.0)])
    bar.update(3, finalize=True)
    assert capsys.readouterr().out == ""


def test_unknown_target_prints_the_count_at_finalize(clock, capsys):
    bar = Progbar(None)
    run(bar, clock, 7, 2.0, lambda s: {"loss": 0.5})
    assert capsys.readouterr().out == ""
    bar.update(7, finalize=True)
    assert capsys.readouterr().out == "      7/Unknown 14s 2s/step - loss: 0.5000\n"


def test_unknown_target_in_a_terminal_shows_elapsed_time(clock, terminal, capsys):
    bar = Progbar(None, interval=0.0)
    run(bar, clock, 3, 2.0)
    assert capsys.readouterr().out.split("\r")[-1] == "      3/Unknown 6s 2s/step"


def test_metrics_are_averaged_over_steps_unless_stateful(clock, capsys):
    bar = Progbar(4, verbose=2, stateful_metrics={"acc"})
    run(bar, clock, 4, 1.0, lambda s: [("loss", [1.0, 4.0, 2.0, 5.0][s - 1]),
                                       ("acc", s / 10)])
    assert capsys.readouterr().out.endswith("- loss: 3.0000 - acc: 0.4000\n")


def test_add_weights_each_value_by_the_steps_it_covers(clock, capsys):
    bar = Progbar(4, verbose=2)
    bar.add(1, [("loss", 4.0)])
    bar.add(3, [("loss", 0.0)])
    # (4 * 1 + 0 * 3) / 4
    assert capsys.readouterr().out.endswith("- loss: 1.0000\n")
    assert bar._seen_so_far == 4


def test_array_values_are_reduced_to_their_mean(clock, capsys):
    bar = Progbar(1, verbose=2)
    bar.update(1, [("loss", np.array([1.0, 3.0], "float32"))])
    assert capsys.readouterr().out.endswith("- loss: 2.0000\n")


def test_first_step_is_left_out_of_the_time_per_step(clock, capsys):
    bar = Progbar(3, verbose=2)
    for step, now in enumerate([10.0, 10.5, 11.0], start=1):
        clock.now = now
        bar.update(step)
    # (11.0 - 10.0) / 2 steps after the slow first one.
    assert capsys.readouterr().out == "3/3 - 11s - 500ms/step\n"


@pytest.mark.parametrize("seconds, expected", [
    (0.4, "0s"), (59.9, "59s"), (125.0, "2:05"), (3725.0, "1:02:05"),
])
def test_eta_format(seconds, expected):
    assert _format_eta(seconds) == expected


@pytest.mark.parametrize("seconds, expected", [
    (0.0, "0s/step"), (2.4, "2s/step"), (0.025, "25ms/step"), (5e-4, "500us/step"),
])
def test_time_per_step_format(seconds, expected):
    assert _format_rate(seconds, "step") == expected


@pytest.mark.parametrize("value, expected", [
    (0.6931, "0.6931"), (-0.5, "-0.5000"), (0.0, "0.0000e+00"), (1e-5, "1.0000e-05"),
    (float("nan"), "nan"), ("text", "text"),
])
def test_value_format(value, expected):
    assert _format_value(value) == expected


def test_unit_name_appears_in_the_rate(clock, capsys):
    bar = Progbar(2, verbose=2, unit_name="sample")
    run(bar, clock, 2, 0.5)
    assert capsys.readouterr().out == "2/2 - 1s - 500ms/sample\n"


@pytest.mark.parametrize("kwargs, message", [
    ({"target": -1}, "target >= 0 or None (unknown), received -1"),
    ({"target": 3, "verbose": 3}, "verbose in"),
    ({"target": 3, "width": 0}, "width >= 1, received 0"),
])
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Progbar(**kwargs)


def test_progbar_is_exported_from_utils():
    assert baro.utils.Progbar is Progbar
