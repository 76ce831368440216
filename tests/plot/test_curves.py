"""baro.plot.history: one panel per quantity, two curves, the best epoch marked."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

import baro.plot  # noqa: E402
from baro.callbacks import History  # noqa: E402
from baro.keras import Input, Sequential, layers  # noqa: E402

RECORD = {"loss": [0.9, 0.6, 0.4, 0.45, 0.5],
          "accuracy": [0.5, 0.7, 0.8, 0.85, 0.9],
          "val_loss": [1.0, 0.7, 0.5, 0.55, 0.6],
          "val_accuracy": [0.4, 0.6, 0.75, 0.8, 0.78]}


def test_panels_lines_and_best_epochs(tmp_path, check_png):
    path = tmp_path / "history.png"
    fig = baro.plot.history(RECORD, path=path)
    check_png(path)
    loss, acc = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    for ax in fig.axes:
        assert [line.get_label() for line in ax.lines] == ["training", "validation"]
        assert ax.get_xlabel() == "epoch"
        assert len(ax.collections) == 1  # the best-epoch star
    assert loss.lines[1].get_xdata().tolist() == [1, 2, 3, 4, 5]
    assert loss.lines[1].get_ydata().tolist() == RECORD["val_loss"]
    # Loss is best at its minimum, accuracy at its maximum (epochs from 1).
    assert loss.collections[0].get_offsets().tolist() == [[3, 0.5]]
    assert acc.collections[0].get_offsets().tolist() == [[4, 0.8]]
    assert "epoch 3" in loss.texts[0].get_text()


def test_history_object_from_fit(tmp_path, check_png, rng):
    x = rng.standard_normal((40, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = Sequential([Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    fig = baro.plot.history(history, path=tmp_path / "fit.png")
    check_png(tmp_path / "fit.png")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert all(len(ax.lines) == 2 for ax in fig.axes)


def test_metrics_selects_panels_and_loss_comes_first():
    fig = baro.plot.history({"accuracy": [0.1, 0.2], "loss": [2.0, 1.0],
                             "mae": [3.0, 2.0]}, metrics=["mae"])
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae"]
    assert len(baro.plot.history(RECORD, metrics=[]).axes) == 1
    with pytest.raises(ValueError, match=r"no record of \['auc'\]"):
        baro.plot.history(RECORD, metrics=["auc"])


def test_without_validation_there_is_one_line_and_no_marker():
    fig = baro.plot.history({"loss": [1.0, 0.5, 0.25]})
    (ax,) = fig.axes
    assert len(ax.lines) == 1 and not ax.collections


def test_validation_every_other_epoch_and_resumed_epochs():
    fig = baro.plot.history({"loss": [4.0, 3.0, 2.0, 1.0], "val_loss": [3.5, 1.5]})
    assert fig.axes[0].lines[1].get_xdata().tolist() == [2, 4]
    history = History()
    history.on_train_begin()
    for epoch, loss in [(5, 1.0), (6, 0.5)]:
        history.on_epoch_end(epoch, {"loss": loss, "val_loss": loss + 0.1})
    fig = baro.plot.history(history)
    assert fig.axes[0].lines[0].get_xdata().tolist() == [6, 7]


def test_a_nan_epoch_is_not_the_best():
    fig = baro.plot.history({"loss": [1.0, 0.5, 0.4],
                             "val_loss": [1.0, np.nan, 0.8]})
    assert fig.axes[0].collections[0].get_offsets().tolist() == [[3, 0.8]]


def test_bad_inputs():
    with pytest.raises(TypeError, match="History object"):
        baro.plot.history([0.5, 0.4])
    with pytest.raises(ValueError, match="empty"):
        baro.plot.history({})
