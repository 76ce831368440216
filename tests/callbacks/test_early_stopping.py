"""EarlyStopping: Keras 3's patience / min_delta / baseline / restore rules.

Scripts of monitored values with the epoch at which Keras stops, worked out by
hand from its rule: `wait += 1` each monitored epoch, reset on an improvement
that also beats the baseline, stop once `wait >= patience` (never at epoch 0).
"""

from types import SimpleNamespace

import numpy as np
import pytest

from baro.callbacks import EarlyStopping
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


def epochs_run(model, values, monitor="val_loss", **kwargs):
    stopper = EarlyStopping(monitor=monitor, **kwargs)
    run_fit([stopper], model, [{monitor: v, "loss": 0.0} for v in values])
    return len(model.history.epoch), stopper


def test_flat_loss_with_patience_3_runs_four_epochs_as_in_keras_docs(model):
    # keras.callbacks.EarlyStopping docs: monitor="loss", patience=3 on a loss
    # that never improves after the first epoch -> 4 epochs.
    ran, stopper = epochs_run(model, [1.0] * 10, monitor="loss", patience=3)
    assert ran == 4 and stopper.stopped_epoch == 3


@pytest.mark.parametrize("patience, values, expected_epochs", [
    (0, [1.0, 0.9, 0.95, 0.8], 3),
    (1, [1.0, 0.9, 0.95, 0.8, 0.85, 0.9], 3),
    (2, [1.0, 0.9, 0.95, 0.8, 0.85, 0.9, 0.7], 6),
    (2, [1.0, 0.9, 0.8, 0.7], 4),  # never stalls: runs every epoch
])
def test_patience(model, patience, values, expected_epochs):
    ran, _ = epochs_run(model, values, patience=patience)
    assert ran == expected_epochs


def test_never_stops_at_epoch_zero(model):
    ran, _ = epochs_run(model, [1.0, 1.0], patience=0)
    assert ran == 2


def test_min_delta_makes_small_gains_count_as_no_improvement(model):
    values = [1.0, 0.95, 0.93, 0.5]
    assert epochs_run(model, values, patience=1)[0] == 4
    assert epochs_run(model, values, patience=1, min_delta=0.1)[0] == 2
    # The sign of min_delta is ignored, as in Keras.
    assert epochs_run(model, values, patience=1, min_delta=-0.1)[0] == 2


def test_max_mode_from_the_name_and_explicit(model):
    values = [0.5, 0.6, 0.55, 0.58, 0.9]
    assert epochs_run(model, values, monitor="val_accuracy", patience=1)[0] == 3
    assert epochs_run(model, values, monitor="val_loss", patience=1,
                      mode="max")[0] == 3
    assert epochs_run(model, values, monitor="val_accuracy", patience=1,
                      mode="min")[0] == 2


def test_max_mode_min_delta(model):
    values = [0.5, 0.55, 0.58, 0.9]
    assert epochs_run(model, values, monitor="val_accuracy", patience=1,
                      min_delta=0.1)[0] == 2


def test_baseline_keeps_wait_growing_until_beaten(model):
    values = [0.9, 0.8, 0.85, 0.3, 0.4]
    # Without a baseline 0.85 is the first stall: wait = 1 < 3.
    assert epochs_run(model, values, patience=3)[0] == 5
    # With baseline 0.5, 0.9 and 0.8 improve on the best but not on the
    # baseline, so wait reaches 3 at epoch 2 and training stops there.
    assert epochs_run(model, values, patience=3, baseline=0.5)[0] == 3
    # A value that beats the baseline resets the wait.
    assert epochs_run(model, [0.9, 0.4, 0.45, 0.5], patience=2,
                      baseline=0.5)[0] == 4


def test_restore_best_weights_after_patience_stop(model):
    ran, stopper = epochs_run(model, [1.0, 0.5, 0.7, 0.8, 0.9], patience=2,
                              restore_best_weights=True)
    assert ran == 4 and stopper.best_epoch == 1
    # Two batches per epoch add 1 each: the best epoch (index 1) ended at 4.
    for w in model.weights:
        np.testing.assert_array_equal(w, np.full_like(w, 4.0))


def test_restore_best_weights_also_when_epochs_run_out(model):
    ran, stopper = epochs_run(model, [1.0, 0.2, 0.7], patience=5,
                              restore_best_weights=True)
    assert ran == 3 and stopper.stopped_epoch == 0
    np.testing.assert_array_equal(model.weights[1], [4.0, 4.0, 4.0])


def test_restore_best_weights_keeps_first_epoch_when_nothing_beats_baseline(model):
    ran, stopper = epochs_run(model, [1.0, 1.1, 1.2], patience=2,
                              baseline=0.5, restore_best_weights=True)
    assert ran == 2 and stopper.best_epoch == 0
    np.testing.assert_array_equal(model.weights[1], [2.0, 2.0, 2.0])


def test_without_restore_the_last_weights_stay(model):
    epochs_run(model, [1.0, 0.5, 0.7, 0.8], patience=1)
    np.testing.assert_array_equal(model.weights[1], [6.0, 6.0, 6.0])


def test_start_from_epoch_ignores_the_warm_up(model):
    values = [5.0, 4.0, 3.0, 10.0, 11.0, 12.0]
    assert epochs_run(model, values, patience=1)[0] == 4
    ran, stopper = epochs_run(model, values, patience=1, start_from_epoch=3)
    assert ran == 5 and stopper.best == 10.0


def test_missing_monitor_warns_and_never_stops(model):
    stopper = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match=r"`val_loss` which is not available.*loss"):
        run_fit([stopper], model, [{"loss": 1.0}] * 3)
    assert len(model.history.epoch) == 3


def test_unknown_monitor_direction_raises_at_first_epoch_end(model):
    with pytest.raises(ValueError, match=r"EarlyStopping received monitor='score'"):
        epochs_run(model, [1.0, 2.0], monitor="score")


def test_model_metric_direction_decides_auto_mode(model):
    model.metrics = [SimpleNamespace(name="score", _direction="up")]
    ran, _ = epochs_run(model, [1.0, 2.0, 1.5], monitor="val_score", patience=1)
    assert ran == 3


def test_verbose_messages(model, capsys):
    epochs_run(model, [1.0, 0.5, 0.7, 0.8], patience=2, verbose=1,
               restore_best_weights=True)
    assert capsys.readouterr().out == (
        "Epoch 4: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n")


def test_instance_can_be_reused_for_a_second_fit(model):
    stopper = EarlyStopping(monitor="loss", patience=1)
    run_fit([stopper], model, [{"loss": v} for v in [1.0, 0.5, 0.6]])
    assert stopper.stopped_epoch == 2
    run_fit([stopper], model, [{"loss": v} for v in [3.0, 2.0, 1.0]])
    assert stopper.stopped_epoch == 0 and stopper.best == 1.0 and stopper.wait == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "maximum"}, "mode 'auto', 'min' or 'max', received 'maximum'"),
    ({"patience": -1}, "patience >= 0"),
    ({"start_from_epoch": -2}, "start_from_epoch=-2"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**kwargs)
