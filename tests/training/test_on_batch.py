"""train_on_batch / test_on_batch return this batch's loss and metrics (Keras 3
resets the metrics first, keras-team/keras#22617), checked against NumPy and,
when Keras and torch are installed, against Keras itself on identical weights."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import baro
from baro import layers
from baro.keras.optimizers import SGD


def _batches(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(12, 4)).astype("float32")
    labels = rng.integers(0, 3, 12)
    targets = rng.normal(size=(12, 1)).astype("float32")
    return [(x[i:i + 4], labels[i:i + 4], targets[i:i + 4]) for i in (0, 4, 8)]


def _single(eager: bool):
    baro.random.set_seed(1)
    model = baro.keras.Sequential([layers.Input((4,)),
                                   layers.Dense(3, activation="softmax")])
    model.compile(optimizer=SGD(0.5), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], run_eagerly=eager)
    return model


def _multi(eager: bool):
    baro.random.set_seed(2)
    inputs = layers.Input((4,), name="a")
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    cls = layers.Dense(3, activation="softmax", name="cls")(hidden)
    reg = layers.Dense(1, name="reg")(hidden)
    model = baro.keras.Model(inputs, [cls, reg])
    model.compile(optimizer=SGD(0.1), loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]],
                  run_eagerly=eager)
    return model


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _crossentropy_and_accuracy(probs, labels):
    picked = np.clip(probs[np.arange(len(labels)), labels], 1e-7, 1 - 1e-7)
    return -np.log(picked).mean(), (probs.argmax(-1) == labels).mean()


def _expected_single(model, x, labels):
    kernel, bias = model.get_weights()
    return list(_crossentropy_and_accuracy(_softmax(x @ kernel + bias), labels))


def _expected_multi(model, x, labels, targets):
    """[loss, cls_loss, reg_loss, cls_accuracy, reg_mae] from the weights now."""
    def dense(name, h):
        kernel, bias = model.get_layer(name).get_weights()
        return h @ kernel + bias

    hidden = np.maximum(dense("hidden", x), 0)
    cls_loss, accuracy = _crossentropy_and_accuracy(_softmax(dense("cls", hidden)),
                                                    labels)
    error = dense("reg", hidden) - targets
    reg_loss = (error ** 2).mean()
    return [cls_loss + 0.5 * reg_loss, cls_loss, reg_loss, accuracy,
            np.abs(error).mean()]


@pytest.mark.parametrize("eager", [True, False], ids=["eager", "compiled"])
def test_train_and_test_on_batch_return_this_batchs_values(eager):
    model = _single(eager)
    for x, labels, _ in _batches():
        expected = _expected_single(model, x, labels)
        np.testing.assert_allclose(model.test_on_batch(x, labels), expected,
                                   rtol=1e-5)
        # The loss of the forward pass before this step's update.
        np.testing.assert_allclose(model.train_on_batch(x, labels), expected,
                                   rtol=1e-5)
        expected = _expected_single(model, x, labels)
        logs = model.train_on_batch(x, labels, return_dict=True)
        assert list(logs) == ["loss", "accuracy"]
        np.testing.assert_allclose([logs["loss"], logs["accuracy"]], expected,
                                   rtol=1e-5)


@pytest.mark.parametrize("eager", [True, False], ids=["eager", "compiled"])
def test_on_batch_with_two_outputs_returns_this_batchs_losses_and_metrics(eager):
    model = _multi(eager)
    names = ["loss", "cls_loss", "reg_loss", "cls_accuracy",
             "reg_mean_absolute_error"]
    for x, labels, targets in _batches():
        expected = _expected_multi(model, x, labels, targets)
        np.testing.assert_allclose(model.test_on_batch(x, [labels, targets]),
                                   expected, rtol=1e-5)
        np.testing.assert_allclose(model.train_on_batch(x, [labels, targets]),
                                   expected, rtol=1e-5)
        expected = _expected_multi(model, x, labels, targets)
        logs = model.train_on_batch(x, [labels, targets], return_dict=True)
        assert model.metrics_names == names and sorted(logs) == sorted(names)
        np.testing.assert_allclose([logs[n] for n in names], expected, rtol=1e-5)


@pytest.mark.skipif(any(importlib.util.find_spec(name) is None
                        for name in ("keras", "torch")),
                    reason="keras and torch are needed")
def test_on_batch_matches_keras_on_identical_weights(tmp_path):
    batches = _batches()
    models = {"single": _single(False), "multi": _multi(False)}
    arrays = {}
    for name, model in models.items():
        arrays.update({f"{name}/w{i}": w for i, w in enumerate(model.get_weights())})
    for step, (x, labels, targets) in enumerate(batches):
        arrays.update({f"x{step}": x, f"y{step}": labels, f"r{step}": targets})
    np.savez(tmp_path / "inputs.npz", **arrays)
    script = Path(__file__).with_name("keras_on_batch.py")
    # Importing keras here would pick a backend for this process: a subprocess.
    env = {**os.environ, "KERAS_BACKEND": "torch", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    keras_runs = json.loads((tmp_path / "results.json").read_text())
    for name, model in models.items():
        for (x, labels, targets), keras_run in zip(batches, keras_runs[name],
                                                   strict=True):
            y = labels if name == "single" else [labels, targets]
            np.testing.assert_allclose(model.test_on_batch(x, y),
                                       keras_run["test"], rtol=1e-4)
            np.testing.assert_allclose(model.train_on_batch(x, y),
                                       keras_run["train"], rtol=1e-4)
            logs = model.train_on_batch(x, y, return_dict=True)
            # Keras names the "mae" metric `reg_mae`, baro `reg_mean_absolute_error`.
            keras_logs = {k.replace("_mae", "_mean_absolute_error"): v
                          for k, v in keras_run["train_dict"].items()}
            assert sorted(logs) == sorted(keras_logs)
            np.testing.assert_allclose([logs[k] for k in sorted(logs)],
                                       [keras_logs[k] for k in sorted(logs)],
                                       rtol=1e-4)
