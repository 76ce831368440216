"""SimpleRNN and SimpleRNNCell."""

import numpy as np
import pytest

import baro
from baro.layers.rnn.rnn import RNN
from baro.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from baro.testing import assert_allclose, run_layer_test


def test_standard_checks_and_keras_parameter_counts():
    run_layer_test(SimpleRNN, {"units": 3}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=3,
                   expected_num_params=3 * 5 + 3 * 3 + 3)
    run_layer_test(SimpleRNN, {"units": 3, "use_bias": False, "return_state": True,
                               "activation": "relu"},
                   input_shape=(2, 4, 5), expected_output_shape=[(2, 3), (2, 3)],
                   expected_num_params=24)


def test_forward_matches_numpy_reference(rng):
    layer = SimpleRNN(4, return_sequences=True, bias_initializer="random_normal")
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    y = layer(x).numpy()
    kernel, recurrent, bias = layer.get_weights()
    h = np.zeros((2, 4))
    for t in range(5):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        assert_allclose(y[:, t], h, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [
    {"go_backwards": True, "return_sequences": True},
    {"dropout": 0.5, "recurrent_dropout": 0.5},
    {"activation": "gelu"},  # no fused kernel: the layer steps its cell
])
def test_fused_layer_equals_generic_rnn_over_the_cell(rng, options):
    cell_options = {k: v for k, v in options.items()
                    if k not in ("go_backwards", "return_sequences")}
    rnn_options = {k: v for k, v in options.items() if k not in cell_options}
    fused = SimpleRNN(4, seed=5, **options)
    generic = RNN(SimpleRNNCell(4, seed=5, **cell_options), **rnn_options)
    x = rng.standard_normal((3, 5, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 1, 1]], bool)
    fused(x)
    generic(x)
    generic.set_weights(fused.get_weights())
    results = []
    for layer in (fused, generic):
        with baro.GradientTape() as tape:
            y = layer(x, mask=mask, training=True)
            loss = baro.reduce_sum(y * y)
        results.append([y.numpy()] + [g.numpy() for g in tape.gradient(
            loss, layer.trainable_weights)])
    for a, b in zip(*results, strict=True):
        assert_allclose(a, b, rtol=2e-5, atol=2e-6)
