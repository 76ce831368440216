"""explain_compilation: which steps replay compiled plans, and why not."""

import numpy as np

import baro
from baro.diagnostics import explain_compilation
from baro.keras import Sequential, layers


def _data(rows=16):
    rng = np.random.default_rng(0)
    return rng.normal(size=(rows, 4)).astype("float32"), rng.integers(0, 2, rows)


def _model(**compile_args):
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Input((4,)), layers.Dense(2, activation="softmax")])
    model.compile(**{"optimizer": "sgd", "loss": "sparse_categorical_crossentropy",
                     **compile_args})
    return model


def test_each_kind_of_step_is_reported():
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    model.evaluate(x, y, batch_size=16, verbose=0)
    statuses = explain_compilation(model)
    assert [(s.kind, s.status) for s in statuses] == [
        ("train", "compiled"), ("test", "traced once")]
    assert statuses[0].signature[0] == ((8, 4), "f")
    assert "compiled" in str(statuses[0]) and not statuses[0].sliced


def test_a_step_that_reads_values_in_python_is_eager_with_the_reason():
    x, y = _data()

    def peeking_loss(y_true, y_pred):
        if float(y_true.numpy().sum()) > 100:  # reads values: cannot replay
            y_pred = y_pred * 2
        return baro.losses.sparse_categorical_crossentropy(y_true, y_pred)

    model = _model(loss=peeking_loss)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    (status,) = explain_compilation(model)
    assert status.status == "eager" and status.reason


def test_eager_models_have_nothing_to_report():
    x, y = _data()
    model = _model(run_eagerly=True)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert explain_compilation(model) == []
