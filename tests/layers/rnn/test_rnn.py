"""RNN: the generic wrapper stepping any cell with ordinary ops."""

import numpy as np
import pytest

import baro
from baro import ops
from baro.keras import Input, Sequential
from baro.layers.core.masking import Masking
from baro.layers.layer import Layer
from baro.layers.rnn.lstm import LSTMCell
from baro.layers.rnn.rnn import RNN
from baro.layers.rnn.simple_rnn import SimpleRNNCell
from baro.testing import assert_allclose, check_layer_gradients, run_layer_test


class MinimalRNNCell(Layer):
    """Keras's documentation example: output = x @ W + h @ U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + \
            ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]


def test_standard_checks_with_a_builtin_cell():
    run_layer_test(RNN, {"cell": LSTMCell(3), "return_state": True},
                   input_shape=(2, 4, 5),
                   expected_output_shape=[(2, 3), (2, 3), (2, 3)],
                   expected_num_trainable_weights=3, expected_num_params=108,
                   run_gradient_check=False)
    layer = RNN(SimpleRNNCell(3, dtype="float64"), return_sequences=True,
                go_backwards=True, dtype="float64")
    x = np.random.default_rng(0).standard_normal((2, 4, 5))
    layer(x)
    check_layer_gradients(layer, x)


def test_custom_cell_matches_a_numpy_loop(rng):
    cell = MinimalRNNCell(3)
    layer = RNN(cell, return_sequences=True)
    x = rng.standard_normal((2, 4, 5)).astype(np.float32)
    y = layer(x).numpy()
    h = np.zeros((2, 3))
    for t in range(4):
        h = x[:, t] @ cell.kernel.numpy() + h @ cell.recurrent_kernel.numpy()
        assert_allclose(y[:, t], h, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 4, 5)) == (None, 4, 3)


def test_masks_skip_steps_and_zero_output_for_mask(rng):
    x = rng.standard_normal((1, 4, 2)).astype(np.float32)
    x[0, 1] = 0.0
    model = Sequential([Input(shape=(4, 2)), Masking(),
                        RNN(SimpleRNNCell(3), return_sequences=True)])
    y = model(x).numpy()[0]
    assert_allclose(y[1], y[0])  # the masked step repeats the previous output
    layer = model.layers[-1]
    layer.zero_output_for_mask = True
    assert_allclose(model(x).numpy()[0, 1], [0, 0, 0])
    assert_allclose(model(x).numpy()[0, 2], y[2], rtol=1e-6)  # state carried
    assert model(x)._keras_mask.numpy().tolist() == [[True, False, True, True]]


def test_long_sequence_backpropagates_without_recursion_error(rng):
    layer = RNN(SimpleRNNCell(3))
    x = baro.Variable(rng.standard_normal((2, 1000, 2)).astype(np.float32))
    with baro.GradientTape() as tape:
        loss = baro.reduce_sum(layer(x))
    grads = tape.gradient(loss, [x] + layer.trainable_weights)
    assert all(np.isfinite(g.numpy()).all() for g in grads)


def test_bad_cells_and_inputs_are_explained():
    with pytest.raises(ValueError, match="state_size"):
        RNN(Layer())
    with pytest.raises(ValueError, match="stacked cells"):
        RNN([SimpleRNNCell(2), SimpleRNNCell(2)])
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\)"):
        RNN(SimpleRNNCell(2))(np.zeros((2, 3), np.float32))
    with pytest.raises(AttributeError, match="stateful"):
        RNN(SimpleRNNCell(2)).reset_states()
