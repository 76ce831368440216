"""The lean path of `predict` on one NumPy batch (compiled plan, no batching)."""

import numpy as np

import baro
from baro.keras import Sequential, layers


def _model():
    baro.utils.set_random_seed(0)
    return Sequential([layers.Input((6,)), layers.Dense(5, activation="relu"),
                       layers.Dense(3, activation="softmax")])


def _eager(model, x):
    return model(x, training=False).numpy()


def test_one_sample_predictions_match_the_eager_model_and_are_fresh():
    model = _model()
    x = np.random.default_rng(0).normal(size=(1, 6)).astype("float32")
    first = [model.predict(x, verbose=0) for _ in range(4)]
    compiler = model._step_compiler
    assert compiler is not None and compiler.predict_array(x) is not None
    for out in first:
        np.testing.assert_array_equal(out, _eager(model, x))
    first[0][...] = 7.0  # the caller owns the result
    np.testing.assert_array_equal(model.predict(x, verbose=0), _eager(model, x))


def test_an_input_changed_in_place_is_not_served_the_old_result():
    model = _model()
    x = np.random.default_rng(1).normal(size=(1, 6)).astype("float32")
    model.predict(x, verbose=0)
    model.predict(x, verbose=0)
    x[0, 0] += 1.0
    np.testing.assert_array_equal(model.predict(x, verbose=0), _eager(model, x))
    x[0, 0] = -0.0 if x[0, 0] == 0.0 else x[0, 0] * -1.0
    np.testing.assert_array_equal(model.predict(x, verbose=0), _eager(model, x))


def test_new_weights_are_used_by_the_lean_path():
    model = _model()
    x = np.random.default_rng(2).normal(size=(1, 6)).astype("float32")
    model.predict(x, verbose=0)
    model.predict(x, verbose=0)
    model.set_weights([w * 2.0 for w in model.get_weights()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), _eager(model, x))


def test_models_that_run_eagerly_skip_the_compiler():
    model = _model()
    model.compile("sgd", "mse", run_eagerly=True)
    x = np.ones((1, 6), "float32")
    model.predict(x, verbose=0)
    assert model.__dict__.get("_step_compiler") is None
    np.testing.assert_array_equal(model.predict(x, verbose=0), _eager(model, x))
