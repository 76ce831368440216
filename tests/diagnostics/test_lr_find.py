"""lr_find: a sensible suggestion, and the model left exactly as it was."""

import numpy as np
import pytest

from baro.diagnostics.lr_finder import LRFinderResult, lr_find
from baro.keras import Input, Sequential, layers, optimizers
from baro.utils import set_random_seed


def _regression(n=512):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    w = rng.normal(size=(8, 1)).astype("float32")
    return x, x @ w + 0.1 * rng.normal(size=(n, 1)).astype("float32")


def _mlp(outputs=1, activation=None):
    set_random_seed(1)
    return Sequential([Input((8,)), layers.Dense(16, activation="relu"),
                       layers.Dense(outputs, activation=activation)])


def test_suggestion_is_sensible_for_regression_with_sgd():
    x, y = _regression()
    model = _mlp()
    model.compile("sgd", "mse")
    result = lr_find(model, x, y)
    assert isinstance(result, LRFinderResult) and result.method == "steepest"
    assert 1e-4 < result.suggestion < 1
    assert result.suggestion <= result.lr_at_minimum
    # The sweep reached the learning rates where SGD blows up, and stopped.
    assert result.diverged and len(result.lrs) < 100
    assert np.all(np.diff(result.lrs) > 0) and np.isfinite(result.losses).all()
    assert result.lrs[0] == pytest.approx(1e-7)


def test_suggestion_is_sensible_for_classification_with_adam():
    x, _ = _regression()
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    model = _mlp(2, "softmax")
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    result = lr_find(model, x, y, steps=150)
    assert 1e-4 < result.suggestion < 1
    # The loss fell: at the suggestion it is below where the sweep started.
    at = np.searchsorted(result.lrs, result.suggestion)
    assert result.smoothed[at] < result.smoothed[0]


def test_minimum_rule_is_a_tenth_of_the_best_rate():
    x, y = _regression()
    model = _mlp()
    model.compile("sgd", "mse")
    result = lr_find(model, x, y, suggest="minimum")
    assert result.suggestion == pytest.approx(result.lr_at_minimum / 10)
    assert 1e-4 < result.suggestion < 1


def test_weights_and_optimizer_state_are_restored_bit_for_bit():
    x, y = _regression()
    model = _mlp()
    model.compile(optimizers.Adam(learning_rate=0.003), "mse")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)  # slots are non-zero now
    weights = [w.copy() for w in model.get_weights()]
    state = [v.numpy().copy() for v in model.optimizer.variables]
    optimizer = model.optimizer
    lr_find(model, x, y, steps=50)
    assert model.optimizer is optimizer
    for before, after in zip(weights, model.get_weights(), strict=True):
        assert np.array_equal(before, after)
    for before, after in zip(state, model.optimizer.variables, strict=True):
        assert np.array_equal(before, after.numpy())
    assert int(optimizer.iterations) == 8
    assert float(optimizer.learning_rate) == pytest.approx(0.003)


def test_training_after_lr_find_is_identical_to_training_without_it():
    x, y = _regression()
    histories, weights = [], []
    for run_finder in (False, True):
        model = _mlp()
        model.compile("adam", "mse")
        model.fit(x, y, epochs=1, batch_size=64, verbose=0)
        if run_finder:
            lr_find(model, x, y, steps=40)
        set_random_seed(7)
        history = model.fit(x, y, epochs=2, batch_size=64, verbose=0)
        histories.append(history.history["loss"])
        weights.append(model.get_weights())
    assert histories[0] == histories[1]
    for a, b in zip(*weights, strict=True):
        assert np.array_equal(a, b)


def test_a_schedule_and_an_unbuilt_optimizer_stay_untouched():
    x, y = _regression()
    model = _mlp()
    schedule = optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)
    model.compile(optimizers.SGD(learning_rate=schedule), "mse")
    lr_find(model, x, y, steps=30)
    assert model.optimizer._learning_rate is schedule
    assert not model.optimizer.built and int(model.optimizer.iterations) == 0


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    x, y = _regression(128)
    model = _mlp()
    model.compile("sgd", "mse")
    result = lr_find(model, x, y, steps=30)
    figure = result.plot(path=tmp_path / "lr.png")
    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.axes[0].get_xscale() == "log"


def test_arguments_are_checked():
    x, y = _regression(64)
    model = _mlp()
    with pytest.raises(RuntimeError, match="compile"):
        lr_find(model, x, y)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="start_lr < end_lr"):
        lr_find(model, x, y, start_lr=1.0, end_lr=0.1)
    with pytest.raises(ValueError, match="suggest"):
        lr_find(model, x, y, suggest="valley")
    with pytest.raises(ValueError, match="same number of samples"):
        lr_find(model, x, y[:10])
