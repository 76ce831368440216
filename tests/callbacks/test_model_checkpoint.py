"""ModelCheckpoint: templates, save_best_only, modes, thresholds, batch saving."""

import os

import numpy as np
import pytest

from baro.callbacks import ModelCheckpoint
from tests.callbacks.callback_fakes import FakeModel, read_weights, run_fit


@pytest.fixture
def model():
    return FakeModel()


def names(folder):
    return sorted(os.listdir(folder))


def test_saves_the_model_every_epoch_with_a_template(model, tmp_path):
    path = str(tmp_path / "model-{epoch:02d}-{val_loss:.2f}.baro")
    run_fit([ModelCheckpoint(path)], model,
        [{"loss": 1.0, "val_loss": v} for v in [0.912, 0.7, 0.8]])
    assert names(tmp_path) == ["model-01-0.91.baro", "model-02-0.70.baro",
                               "model-03-0.80.baro"]
    assert [kind for kind, _ in model.saved] == ["model"] * 3


def test_save_weights_only_calls_save_weights(model, tmp_path):
    path = tmp_path / "w.weights.safetensors"  # PathLike is accepted
    run_fit([ModelCheckpoint(path, save_weights_only=True)], model, [{"val_loss": 1.0}])
    assert model.saved == [("weights", str(path))]


def test_save_best_only_with_a_template(model, tmp_path):
    path = str(tmp_path / "best-{epoch:02d}-{val_loss:.2f}.weights.safetensors")
    run_fit([ModelCheckpoint(path, save_best_only=True, save_weights_only=True)], model,
        [{"val_loss": v} for v in [0.9, 0.7, 0.8, 0.6, 0.6]])
    assert names(tmp_path) == ["best-01-0.90.weights.safetensors",
                               "best-02-0.70.weights.safetensors",
                               "best-04-0.60.weights.safetensors"]


def test_save_best_only_fixed_path_holds_the_best_weights(model, tmp_path):
    path = str(tmp_path / "best.weights.safetensors")
    run_fit([ModelCheckpoint(path, save_best_only=True, save_weights_only=True)], model,
        [{"val_loss": v} for v in [0.9, 0.5, 0.8]])
    # Best epoch is index 1: two epochs of two +1 batches.
    for w in read_weights(path):
        np.testing.assert_array_equal(w, np.full_like(w, 4.0))


def test_max_mode_from_the_name(model, tmp_path):
    path = str(tmp_path / "{epoch}.keras")
    checkpoint = ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True)
    run_fit([checkpoint], model, [{"val_accuracy": v} for v in [0.5, 0.4, 0.7]])
    assert names(tmp_path) == ["1.keras", "3.keras"]
    assert checkpoint.best == 0.7


def test_initial_value_threshold_must_be_beaten(model, tmp_path):
    path = str(tmp_path / "{epoch}.keras")
    run_fit([ModelCheckpoint(path, save_best_only=True, initial_value_threshold=0.5)],
        model, [{"val_loss": v} for v in [0.9, 0.7, 0.4, 0.45]])
    assert names(tmp_path) == ["3.keras"]


def test_save_freq_in_batches_counts_across_epochs(model, tmp_path):
    path = str(tmp_path / "e{epoch}-b{batch}.keras")
    run_fit([ModelCheckpoint(path, save_freq=3)], model, [{"loss": 1.0}] * 2, steps=4)
    # Batches 1..8 overall, saving after the 3rd and 6th: (epoch 1, batch 3)
    # and (epoch 2, batch 2), both 1-based in the name.
    assert names(tmp_path) == ["e1-b3.keras", "e2-b2.keras"]


def test_missing_template_field_raises_key_error(model, tmp_path):
    path = str(tmp_path / "{epoch}-{val_acc:.2f}.keras")
    with pytest.raises(KeyError, match=r"no value for 'val_acc'.*'val_loss'"):
        run_fit([ModelCheckpoint(path)], model, [{"val_loss": 1.0}])


def test_missing_monitor_with_save_best_only_warns_and_saves(model, tmp_path):
    path = str(tmp_path / "m.keras")
    with pytest.warns(UserWarning, match="only with val_loss available"):
        run_fit([ModelCheckpoint(path, save_best_only=True)], model, [{"loss": 1.0}])
    assert names(tmp_path) == ["m.keras"]


def test_missing_folders_are_created(model, tmp_path):
    path = tmp_path / "a" / "b" / "m.keras"
    run_fit([ModelCheckpoint(str(path))], model, [{"val_loss": 1.0}])
    assert path.exists()


def test_a_directory_path_is_rejected(model, tmp_path):
    with pytest.raises(IsADirectoryError, match="is an existing directory"):
        run_fit([ModelCheckpoint(str(tmp_path))], model, [{"val_loss": 1.0}])


def test_verbose_messages(model, tmp_path, capsys):
    path = str(tmp_path / "m.keras")
    run_fit([ModelCheckpoint(path, save_best_only=True, verbose=1)], model,
        [{"val_loss": v} for v in [0.5, 0.6]])
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from None to 0.50000, saving model to {path}" \
        in out
    assert f"Epoch 1: finished saving model to {path}" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out


@pytest.mark.parametrize("kwargs, error, message", [
    ({"save_freq": "batch"}, ValueError, "save_freq='batch'"),
    ({"save_freq": 0}, ValueError, "positive integer"),
    ({"save_freq": True}, ValueError, "save_freq=True"),
    ({"mode": "best"}, ValueError, "received 'best'"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        ModelCheckpoint("m.keras", **kwargs)
