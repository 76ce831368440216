"""CSVLogger: Keras 3's columns, NA filling, separator, append mode."""

import csv

import numpy as np
import pytest

from baro.callbacks import CSVLogger
from tests.callbacks.callback_fakes import FakeModel, run_fit


@pytest.fixture
def model():
    return FakeModel()


def test_rows_hold_epoch_and_sorted_logs(model, tmp_path):
    path = tmp_path / "log.csv"
    logs = [{"loss": 1.0 / (e + 1), "val_loss": 2.0, "accuracy": 0.25 * e}
            for e in range(3)]
    run_fit([CSVLogger(path)], model, logs)
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_loss"]
    assert len(rows) == 4
    for epoch, row in enumerate(rows[1:]):
        expected = [epoch, logs[epoch]["accuracy"], logs[epoch]["loss"], 2.0]
        np.testing.assert_allclose([float(cell) for cell in row], expected)


def test_exact_text_with_a_separator(model, tmp_path):
    path = tmp_path / "log.tsv"
    run_fit([CSVLogger(str(path), separator="\t")], model,
        [{"loss": 0.5}, {"loss": 0.25}])
    # csv's excel dialect, as in Keras: rows end with "\r\n".
    assert path.read_bytes() == b"epoch\tloss\r\n0\t0.5\r\n1\t0.25\r\n"


def test_missing_values_are_na_and_late_keys_are_dropped(model, tmp_path):
    path = tmp_path / "log.csv"
    run_fit([CSVLogger(path)], model,
        [{"loss": 0.5, "val_loss": 0.7}, {"loss": 0.4, "extra": 1.0}])
    assert path.read_text().splitlines() == \
        ["epoch,loss,val_loss", "0,0.5,0.7", "1,0.4,NA"]


def test_validation_columns_are_reserved_from_metrics_names(model, tmp_path):
    path = tmp_path / "log.csv"
    model.metrics_names = ["loss", "val_loss"]
    run_fit([CSVLogger(path)], model, [{"loss": 0.5}, {"loss": 0.4, "val_loss": 0.9}])
    assert path.read_text().splitlines() == \
        ["epoch,loss,val_loss", "0,0.5,NA", "1,0.4,0.9"]


def test_overwrite_by_default_and_append_without_a_second_header(model, tmp_path):
    path = tmp_path / "log.csv"
    run_fit([CSVLogger(path)], model, [{"loss": 0.5}])
    run_fit([CSVLogger(path)], model, [{"loss": 0.4}])
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.4"]
    run_fit([CSVLogger(path, append=True)], model, [{"loss": 0.3}])
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.4", "0,0.3"]


def test_append_to_an_empty_file_writes_the_header(model, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("")
    run_fit([CSVLogger(path, append=True)], model, [{"loss": 0.5}])
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.5"]


def test_iterable_values_are_written_as_a_list(model, tmp_path):
    path = tmp_path / "log.csv"
    run_fit([CSVLogger(path)], model, [{"per_class": np.array([1, 2]), "loss": 0.5}])
    row = path.read_text().splitlines()[1]
    assert row == '0,0.5,"""[1, 2]"""'


def test_each_row_is_flushed_and_the_file_closed_at_the_end(model, tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.set_model(model)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5})
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.5"]
    logger.on_train_end()
    assert logger.csv_file.closed


def test_bad_separator_is_rejected():
    with pytest.raises(ValueError, match="one-character separator, received"):
        CSVLogger("log.csv", separator=", ")
