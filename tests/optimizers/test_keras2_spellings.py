"""Keras 2's optimizer spellings: `lr=` (with Keras 2's warning), `decay=`
(time-based decay lr / (1 + decay * iterations)) and `optimizer.lr`."""

import warnings

import numpy as np
import pytest

import baro
from baro.optimizers import SGD, Adam, RMSprop, schedules

LR_WARNING = r"The `lr` argument is deprecated, use `learning_rate` instead\."


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop])
def test_lr_is_learning_rate_with_keras2_warning(cls):
    with pytest.warns(UserWarning, match=LR_WARNING) as record:
        opt = cls(lr=0.25)
    # The warning points at the caller's line, not at baro's files.
    assert record[0].filename == __file__
    assert float(opt.learning_rate) == 0.25


def test_lr_wins_over_learning_rate_as_in_keras2():
    # Keras 2: self._set_hyper("learning_rate", kwargs.get("lr", learning_rate)).
    with pytest.warns(UserWarning, match=LR_WARNING):
        opt = Adam(learning_rate=0.5, lr=0.125)
    assert float(opt.learning_rate) == 0.125


def test_lr_attribute_reads_and_sets_the_learning_rate():
    opt = SGD(learning_rate=0.1)
    assert float(opt.lr) == pytest.approx(0.1)
    opt.lr = 0.02  # as Keras 2 callbacks and K.set_value(model.optimizer.lr, ...)
    assert float(opt.learning_rate) == pytest.approx(0.02)


def test_sgd_decay_follows_keras2_time_based_rule():
    # Gradient 1 every step: w drops by lr / (1 + decay * t), t = 0, 1, 2, ...
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        opt = SGD(learning_rate=0.1, decay=0.5)
    w = baro.Variable([1.0])
    for _ in range(4):
        opt.apply_gradients([(np.ones(1, "float32"), w)])
    expected = 1.0 - sum(0.1 / (1 + 0.5 * t) for t in range(4))
    assert w.numpy()[0] == pytest.approx(expected, rel=1e-6)
    assert float(opt.learning_rate) == pytest.approx(0.1 / (1 + 0.5 * 4))


def test_adam_decay_matches_a_keras2_reference(rng):
    # The classic Keras 2 line: Adam(lr=..., decay=...); the reference runs
    # Keras 2's Adam (optimizer_v2) with lr_t = lr / (1 + decay * t) in float64.
    lr, decay, b1, b2, eps = 0.05, 0.1, 0.9, 0.999, 1e-7
    w0 = rng.standard_normal(6).astype("float32")
    grads = rng.standard_normal((5, 6)).astype("float32")
    with pytest.warns(UserWarning):
        opt = Adam(lr=lr, decay=decay)
    w = baro.Variable(w0)
    for g in grads:
        opt.apply_gradients([(g, w)])
    ref, m, v = w0.astype("float64"), np.zeros(6), np.zeros(6)
    for t, g in enumerate(grads.astype("float64")):
        lr_t = lr / (1 + decay * t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha = lr_t * np.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1))
        ref = ref - alpha * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(w.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_decay_zero_is_keras2_default_and_changes_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = SGD(learning_rate=0.1, decay=0.0)
    opt.learning_rate = 0.3  # still a settable float learning rate
    assert float(opt.learning_rate) == pytest.approx(0.3)


def test_decay_config_round_trips_as_inverse_time_decay():
    with pytest.warns(UserWarning):
        opt = SGD(learning_rate=0.1, decay=0.01, momentum=0.9, nesterov=True)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "InverseTimeDecay"
    assert config["learning_rate"]["config"] == {
        "initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.01,
        "staircase": False, "name": "InverseTimeDecay"}
    clone = SGD.from_config(config)
    assert isinstance(clone._learning_rate, schedules.InverseTimeDecay)
    assert clone.momentum == 0.9 and clone.nesterov


def test_decay_rejects_negative_values_and_schedules():
    with pytest.raises(ValueError, match="decay.*range"):
        SGD(learning_rate=0.1, decay=-0.1)
    schedule = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)
    with pytest.raises(ValueError, match="needs a float learning_rate"):
        SGD(learning_rate=schedule, decay=0.1)


def test_keras2_sgd_line_trains_a_model():
    # Keras 2 course code: SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True).
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 2)).astype("float32")
    y = (x[:, :1] - 2 * x[:, 1:]).astype("float32")
    model = baro.keras.Sequential([baro.keras.layers.Dense(1, input_dim=2)])
    with pytest.warns(UserWarning):
        sgd = SGD(lr=0.05, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss="mse", optimizer=sgd)
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 1e-3
    assert int(sgd.iterations) == 40 * 4
    assert float(sgd.lr) == pytest.approx(0.05 / (1 + 1e-6 * 160), rel=1e-6)
