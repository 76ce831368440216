"""BackupAndRestore: resume after a crash, atomic writes, cleanup."""

import json
import os

import numpy as np
import pytest

from baro.callbacks import BackupAndRestore, Callback
from tests.callbacks.callback_fakes import FakeModel, read_weights, run_fit


@pytest.fixture
def model():
    return FakeModel()

EPOCHS = [{"loss": 1.0}] * 5


class Crash(Exception):
    pass


class CrashAt(Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise Crash(f"simulated crash at epoch {epoch}")


def metadata(folder):
    with open(os.path.join(folder, "training_metadata.json")) as file:
        return json.load(file)


@pytest.mark.parametrize("crash_first, finished", [(False, 3), (True, 2)])
def test_resume_after_a_crash(tmp_path, crash_first, finished):
    folder = str(tmp_path / "backup")
    crasher, backup = CrashAt(2), BackupAndRestore(folder)
    first = FakeModel()
    with pytest.raises(Crash):
        run_fit([crasher, backup] if crash_first else [backup, crasher], first, EPOCHS)
    # The backup of epoch 2 exists only if BackupAndRestore ran before the crash.
    assert metadata(folder) == {"epoch": finished, "batch": 0}
    assert sorted(os.listdir(folder)) == ["latest.weights.safetensors",
                                          "training_metadata.json"]

    second = FakeModel()  # a fresh process: weights back at zero
    run_fit([BackupAndRestore(folder)], second, EPOCHS)
    assert second._initial_epoch == finished
    assert second.history.epoch == list(range(finished, 5))
    # Restored weights (2 per finished epoch) plus the remaining epochs equal an
    # uninterrupted run: 5 epochs of 2 batches.
    for w in second.weights:
        np.testing.assert_array_equal(w, np.full_like(w, 10.0))
    assert not os.path.exists(folder)


def test_restored_weights_are_loaded_on_train_begin(model, tmp_path):
    folder = str(tmp_path)
    with pytest.raises(Crash):
        run_fit([BackupAndRestore(folder), CrashAt(1)], model, EPOCHS)
    np.testing.assert_array_equal(
        read_weights(os.path.join(folder, "latest.weights.safetensors"))[1], [4.0] * 3)
    model.set_weights([np.zeros((2, 2)), np.zeros(3)])
    backup = BackupAndRestore(folder)
    backup.set_model(model)
    backup.on_train_begin()
    np.testing.assert_array_equal(model.weights[1], [4.0] * 3)
    assert model._initial_epoch == 2


def test_no_backup_means_a_fresh_start(model, tmp_path):
    run_fit([BackupAndRestore(str(tmp_path / "none"))], model, EPOCHS[:2])
    assert model._initial_epoch == 0 and model.history.epoch == [0, 1]


def test_delete_checkpoint_false_keeps_the_backup(model, tmp_path):
    folder = str(tmp_path / "keep")
    run_fit([BackupAndRestore(folder, delete_checkpoint=False)], model, EPOCHS[:2])
    assert metadata(folder) == {"epoch": 2, "batch": 0}


def test_cleanup_leaves_other_files_alone(model, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run_fit([BackupAndRestore(str(tmp_path))], model, EPOCHS[:1])
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_a_crash_while_saving_leaves_the_previous_backup_intact(model, tmp_path):
    folder = str(tmp_path)
    saves = []

    def failing_save_weights(filepath, overwrite=True):
        saves.append(filepath)
        if len(saves) == 2:
            with open(filepath, "w") as file:
                file.write("[[half")
            raise Crash("killed mid-write")
        type(model).save_weights(model, filepath, overwrite)

    model.save_weights = failing_save_weights
    with pytest.raises(Crash):
        run_fit([BackupAndRestore(folder)], model, EPOCHS)
    assert metadata(folder) == {"epoch": 1, "batch": 0}
    weights = read_weights(os.path.join(folder, "latest.weights.safetensors"))
    np.testing.assert_array_equal(weights[1], [2.0] * 3)
    assert all(os.path.basename(path) != "latest.weights.safetensors"
               for path in saves)


def test_save_freq_in_batches_records_the_unfinished_epoch(model, tmp_path):
    folder = str(tmp_path)
    with pytest.raises(Crash):
        run_fit([BackupAndRestore(folder, save_freq=3), CrashAt(1)], model, EPOCHS,
            steps=2)
    # Batches 1..4 overall; the save after the 3rd is in epoch 1 (0-based),
    # which had not finished: resuming restarts it.
    assert metadata(folder) == {"epoch": 1, "batch": 0}


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "backup_dir path, received ''"),
    ({"backup_dir": "b", "save_freq": "batch"}, "save_freq='batch'"),
    ({"backup_dir": "b", "save_freq": -1}, "positive integer"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BackupAndRestore(**kwargs)
