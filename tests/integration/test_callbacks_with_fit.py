"""Callbacks driven by a real fit(): checkpoints, resume after a crash, LR control."""

import csv
import json

import numpy as np
import pytest

import baro
from baro.keras import Sequential, callbacks, layers
from baro.keras.optimizers import SGD
from baro.testing import assert_allclose


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], np.float32))


def model_factory():
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Dense(4, input_dim=3, activation="tanh"),
                        layers.Dense(1)])
    model.compile(SGD(0.05), "mse")
    return model


def test_model_checkpoint_saves_best_weights_and_full_models(tmp_path):
    x, y = data()
    model = model_factory()
    best = tmp_path / "best.weights.safetensors"
    full = tmp_path / "model-{epoch:02d}.baro"
    model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0, callbacks=[
        callbacks.ModelCheckpoint(str(best), save_best_only=True,
                                  save_weights_only=True),
        callbacks.ModelCheckpoint(str(full))])
    assert best.exists()
    assert sorted(p.name for p in tmp_path.glob("model-*.baro")) == \
        ["model-01.baro", "model-02.baro", "model-03.baro"]
    restored = baro.keras.models.load_model(tmp_path / "model-03.baro")
    assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_backup_and_restore_resumes_after_a_crash(tmp_path):
    x, y = data()

    class Crash(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("simulated crash")

    backup = callbacks.BackupAndRestore(str(tmp_path / "backup"))
    model = model_factory()
    with pytest.raises(RuntimeError, match="simulated crash"):
        model.fit(x, y, epochs=6, verbose=0, callbacks=[backup, Crash()])
    # The backup callback ran before Crash, so epoch 2 (0-based) was saved.
    saved = model.get_weights()
    resumed = model_factory()
    seen = []
    check = callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append(resumed.get_weights()))
    history = resumed.fit(x, y, epochs=6, verbose=0, callbacks=[
        callbacks.BackupAndRestore(str(tmp_path / "backup")), check])
    assert history.epoch == [3, 4, 5]
    for got, want in zip(seen[0], saved, strict=True):
        assert_allclose(got, want)
    assert not (tmp_path / "backup" / "latest.weights.safetensors").exists()


def test_reduce_lr_on_plateau_and_scheduler_change_the_real_optimizer():
    x, y = data()
    model = model_factory()
    model.compile(SGD(0.0), "mse")  # no learning: the loss plateaus at once
    model.fit(x, y, validation_data=(x, y), epochs=4, verbose=0, callbacks=[
        callbacks.ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.0)])
    model.compile(SGD(0.1), "mse")
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert_allclose(float(model.optimizer.learning_rate), 0.1 / 3, rtol=1e-6)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_csv_logger_and_terminate_on_nan(tmp_path):
    x, y = data()
    model = model_factory()
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(str(path))])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert float(rows[1]["loss"]) < float(rows[0]["loss"])


def test_history_object_is_the_model_history():
    x, y = data()
    model = model_factory()
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.history is history
    assert history.params["epochs"] == 2
    json.dumps(history.history)  # plain floats, ready for plotting or saving


def test_custom_train_step_is_used_by_fit():
    class Custom(Sequential):
        calls = 0

        def train_step(self, data):
            Custom.calls += 1
            x, y = data[0], data[1]
            with baro.GradientTape() as tape:
                loss = baro.reduce_mean(baro.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights,
                                               strict=True))
            return {"loss": float(loss)}

    x, y = data()
    model = Custom([layers.Dense(1, input_dim=3)])
    model.compile(SGD(0.1), "mse")
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert Custom.calls == 4
    assert len(history.history["loss"]) == 2
    assert model.evaluate(x, y, verbose=0) < before
