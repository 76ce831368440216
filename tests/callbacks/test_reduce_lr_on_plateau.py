"""ReduceLROnPlateau: patience, cooldown, min_lr, logged rate; torch parity."""

import numpy as np
import pytest

from baro.callbacks import ReduceLROnPlateau
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


def lr_trajectory(model, values, monitor="val_loss", **kwargs):
    """The learning rate after each epoch, and the rates logged per epoch."""
    rates = []

    class Spy(ReduceLROnPlateau):
        def on_epoch_end(self, epoch, logs=None):
            super().on_epoch_end(epoch, logs)
            rates.append(float(self.model.optimizer.learning_rate))

    run_fit([Spy(monitor=monitor, **kwargs)], model, [{monitor: v} for v in values])
    return rates, model.history.history["learning_rate"]


def test_reduces_after_patience_flat_epochs(model):
    model.optimizer.learning_rate = 1.0
    after, logged = lr_trajectory(model, [1.0] * 5, factor=0.5, patience=2)
    assert after == [1.0, 1.0, 0.5, 0.5, 0.25]
    # "learning_rate" is logged before the reduction of that epoch (Keras 3).
    assert logged == [1.0, 1.0, 1.0, 0.5, 0.5]


def test_improvements_reset_the_wait(model):
    model.optimizer.learning_rate = 1.0
    after, _ = lr_trajectory(model, [1.0, 1.0, 0.5, 0.5, 0.5], factor=0.5,
                             patience=2)
    assert after == [1.0, 1.0, 1.0, 1.0, 0.5]


def test_cooldown_skips_counting_after_a_reduction(model):
    model.optimizer.learning_rate = 1.0
    after, _ = lr_trajectory(model, [1.0] * 7, factor=0.5, patience=1,
                             cooldown=2)
    # Keras's order: a reduction at epoch 1 sets the counter to 2; epoch 2
    # decrements it to 1 and stays idle; epoch 3 decrements it to 0 and counts,
    # so reductions land on epochs 1, 3, 5.
    assert after == [1.0, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]


def test_min_delta_decides_what_counts_as_better(model):
    model.optimizer.learning_rate = 1.0
    values = [1.0, 0.99, 0.98, 0.97]
    after, _ = lr_trajectory(model, values, factor=0.5, patience=2,
                             min_delta=0.05)
    assert after == [1.0, 1.0, 0.5, 0.5]


def test_min_lr_is_a_floor_even_in_float32(model, capsys):
    model.optimizer.learning_rate = 1e-3
    after, _ = lr_trajectory(model, [1.0] * 5, factor=0.1, patience=1,
                             min_lr=5e-4, verbose=1)
    np.testing.assert_allclose(after, [1e-3, 5e-4, 5e-4, 5e-4, 5e-4], rtol=1e-6)
    # The stored float32(5e-4) is not "above" min_lr: one message only.
    assert capsys.readouterr().out.count("ReduceLROnPlateau reducing") == 1


def test_max_mode_from_the_name(model):
    model.optimizer.learning_rate = 1.0
    after, _ = lr_trajectory(model, [0.5, 0.6, 0.6, 0.6], monitor="val_accuracy",
                             factor=0.5, patience=2)
    assert after == [1.0, 1.0, 1.0, 0.5]


def test_unknown_names_default_to_min_like_keras(model):
    model.optimizer.learning_rate = 1.0
    after, _ = lr_trajectory(model, [3.0, 2.0, 1.0], monitor="score",
                             factor=0.5, patience=1)
    assert after == [1.0, 1.0, 1.0]


def test_missing_monitor_warns_and_still_logs_the_rate(model):
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        run_fit([ReduceLROnPlateau(patience=0)], model, [{"loss": 1.0}] * 2)
    assert model.history.history["learning_rate"] == pytest.approx([0.1, 0.1])


def test_verbose_message(model, capsys):
    model.optimizer.learning_rate = 1.0
    lr_trajectory(model, [1.0, 1.0], factor=0.5, patience=1, verbose=1)
    assert capsys.readouterr().out == \
        "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n"


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 1.0}, "0 < factor < 1"),
    ({"factor": 0.0}, "received factor=0.0"),
    ({"patience": -1}, "patience=-1"),
    ({"cooldown": -1}, "cooldown=-1"),
    ({"mode": "up"}, "received 'up'"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReduceLROnPlateau(**kwargs)


@pytest.mark.parametrize("mode, patience, min_delta", [
    ("min", 1, 1e-4), ("min", 3, 0.02), ("max", 2, 0.01),
])
def test_matches_torch_reduce_lr_on_plateau(model, mode, patience, min_delta):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    values = np.random.default_rng(7).uniform(0.0, 1.0, 40).cumsum() / 40.0
    values = (values if mode == "max" else -values) + \
        np.random.default_rng(8).normal(0.0, 0.05, 40)
    values = [float(v) for v in values]
    monitor = "val_accuracy" if mode == "max" else "val_loss"
    model.optimizer.learning_rate = 1.0
    ours, _ = lr_trajectory(model, values, monitor=monitor, factor=0.5,
                            patience=patience, min_delta=min_delta, min_lr=1e-3)
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    # Keras reduces when wait >= patience, torch when bad epochs > patience.
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode=mode, factor=0.5, patience=patience - 1,
        threshold=min_delta, threshold_mode="abs", min_lr=1e-3, eps=0.0)
    theirs = []
    for value in values:
        scheduler.step(value)
        theirs.append(optimizer.param_groups[0]["lr"])
    assert len(set(theirs)) > 2  # the script really exercises reductions
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
