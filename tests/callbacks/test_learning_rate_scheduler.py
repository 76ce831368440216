"""LearningRateScheduler: both schedule signatures, logging, checks, torch parity."""

import math

import numpy as np
import pytest

from baro.callbacks import LearningRateScheduler
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


def run(model, schedule, epochs, **kwargs):
    seen = []

    class Spy(LearningRateScheduler):
        def on_epoch_begin(self, epoch, logs=None):
            super().on_epoch_begin(epoch, logs)
            seen.append(float(self.model.optimizer.learning_rate))

    run_fit([Spy(schedule, **kwargs)], model, [{"loss": 1.0}] * epochs)
    return seen


def test_keras_docstring_example(model):
    # keras.callbacks.LearningRateScheduler docs: SGD's default 0.01, kept for
    # 10 epochs then multiplied by exp(-0.1) each epoch; after 15 epochs the
    # rate rounds to 0.00607.
    model.optimizer.learning_rate = 0.01

    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    run(model, scheduler, 15)
    assert round(float(model.optimizer.learning_rate), 5) == 0.00607


def test_one_argument_schedule(model):
    rates = run(model, lambda epoch: 0.1 / (epoch + 1), 3)
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_two_argument_schedule_gets_the_current_rate_as_a_float(model):
    received = []

    def schedule(epoch, lr):
        received.append(lr)
        return lr * 0.5

    run(model, schedule, 3)
    assert all(type(lr) is float for lr in received)
    np.testing.assert_allclose(received, [0.1, 0.05, 0.025], rtol=1e-6)


def test_rate_is_logged_each_epoch(model):
    run(model, lambda epoch: [0.3, 0.2][epoch], 2)
    np.testing.assert_allclose(model.history.history["learning_rate"], [0.3, 0.2],
                               rtol=1e-6)


def test_numpy_floats_are_accepted(model):
    run(model, lambda epoch, lr: np.float32(0.5) * np.float32(lr), 1)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)


def test_a_type_error_inside_the_schedule_is_not_swallowed(model):
    def schedule(epoch, lr):
        return lr + "oops"

    with pytest.raises(TypeError, match="float"):
        run(model, schedule, 1)


def test_non_float_result_is_rejected(model):
    with pytest.raises(ValueError, match="must return a float, received 1 of type"):
        run(model, lambda epoch: 1, 1)


def test_non_callable_schedule_is_rejected():
    with pytest.raises(TypeError, match="received 0.1"):
        LearningRateScheduler(0.1)


def test_optimizer_without_learning_rate_is_rejected(model):
    model.optimizer = object()
    with pytest.raises(ValueError, match="`learning_rate` attribute, received object"):
        run(model, lambda epoch: 0.1, 1)


def test_verbose_message(model, capsys):
    run(model, lambda epoch: 0.5, 1, verbose=1)
    assert capsys.readouterr().out == \
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.5.\n"


def test_matches_torch_lambda_lr(model):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    model.optimizer.learning_rate = 0.1
    ours = run(model, lambda epoch: 0.1 * 0.9 ** epoch, 6)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: 0.9 ** e)
    theirs = []
    for _ in range(6):
        theirs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
