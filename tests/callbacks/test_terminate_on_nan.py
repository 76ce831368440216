"""TerminateOnNaN: stop (or raise) on a non-finite batch loss."""

import numpy as np
import pytest

from baro.callbacks import TerminateOnNaN
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"),
                                 np.float32("nan")])
def test_stops_after_the_batch_with_a_non_finite_loss(model, bad, capsys):
    def batch_loss(epoch, batch):
        return bad if (epoch, batch) == (1, 0) else 0.5

    run_fit([TerminateOnNaN()], model, [{"loss": 0.5}] * 4, steps=3,
        batch_loss=batch_loss)
    assert model.stop_training
    assert model.history.epoch == [0, 1]
    # Epoch 0 ran 3 batches, epoch 1 stopped after its first.
    np.testing.assert_array_equal(model.weights[1], [4.0, 4.0, 4.0])
    assert capsys.readouterr().out == "Batch 0: Invalid loss, terminating training\n"


def test_finite_or_missing_losses_do_not_stop(model):
    run_fit([TerminateOnNaN()], model, [{"loss": 0.5}] * 2,
        batch_loss=lambda e, b: 1e30)
    assert not model.stop_training and model.history.epoch == [0, 1]
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"accuracy": float("nan")})
    assert not model.stop_training


def test_raise_error_raises_at_once(model):
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        run_fit([TerminateOnNaN(raise_error=True)], model, [{"loss": 0.5}],
            batch_loss=lambda e, b: float("nan") if b == 1 else 0.5)
