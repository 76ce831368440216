"""Keras 2 spellings older tutorials use: epsilon=None, *_generator, reset_states,
K.set_value / K.get_value, to_categorical(dtype=)."""

import numpy as np
import pytest

import baro
from baro.keras import Sequential, layers, metrics
from baro.keras import backend as K
from baro.keras.optimizers import Adam, RMSprop
from baro.keras.utils import PyDataset, to_categorical


def test_epsilon_none_means_the_backend_fuzz_factor():
    assert Adam(epsilon=None).epsilon == K.epsilon()
    assert RMSprop(epsilon=None).epsilon == K.epsilon()


class Batches(PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return self.x[i * 8:(i + 1) * 8], self.y[i * 8:(i + 1) * 8]


def test_generator_methods_warn_and_delegate():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = Sequential([layers.Dense(1, input_dim=3)])
    model.compile("sgd", "mse")
    with pytest.warns(UserWarning, match="fit_generator"):
        history = model.fit_generator(Batches(x, y), steps_per_epoch=3, epochs=2,
                                      verbose=0)
    assert len(history.history["loss"]) == 2
    with pytest.warns(UserWarning, match="evaluate_generator"):
        assert np.isfinite(model.evaluate_generator(Batches(x, y), verbose=0))
    with pytest.warns(UserWarning, match="predict_generator"):
        assert model.predict_generator(Batches(x, y), verbose=0).shape == (16, 1)


def test_metric_reset_states_and_backend_values():
    metric = metrics.Mean()
    metric.update_state([1.0, 3.0])
    metric.reset_states()
    metric.update_state([5.0])
    assert float(metric.result()) == 5.0
    optimizer = Adam(0.01)
    K.set_value(optimizer.learning_rate, 0.001)
    assert abs(K.get_value(optimizer.learning_rate) - 0.001) < 1e-9
    v = baro.Variable([1.0, 2.0])
    K.set_value(v, [3.0, 4.0])
    assert K.get_value(v).tolist() == [3.0, 4.0]


def test_to_categorical_dtype():
    assert to_categorical([0, 1], 2, dtype="int32").dtype == np.int32
