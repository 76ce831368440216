"""GRU and GRUCell: both reset conventions, Keras's counts, torch parity."""

import numpy as np
import pytest

import baro
from baro.layers.rnn.gru import GRU, GRUCell
from baro.layers.rnn.rnn import RNN
from baro.testing import assert_allclose, run_layer_test


def test_standard_checks_and_keras_parameter_counts():
    run_layer_test(GRU, {"units": 3}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=3,
                   expected_num_params=3 * 3 * (5 + 3) + 2 * 3 * 3)
    run_layer_test(GRU, {"units": 3, "reset_after": False, "return_state": True,
                         "return_sequences": True},
                   input_shape=(2, 4, 5), expected_output_shape=[(2, 4, 3), (2, 3)],
                   expected_num_params=3 * (3 * (5 + 3) + 3))
    layer = GRU(64)
    layer.build((None, 28, 28))
    # 3 * 64 * (28 + 64) + 2 * 3 * 64; the bias is (2, 3 * units) (input and
    # recurrent biases) with reset_after=True.
    assert layer.count_params() == 18048
    assert [w.shape for w in layer.weights] == [(28, 192), (64, 192), (2, 192)]
    layer = GRU(64, reset_after=False)
    layer.build((None, 28, 28))
    assert layer.count_params() == 17856
    assert layer.weights[2].shape == (192,)


def test_forward_and_gradients_match_torch(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = GRU(4, return_sequences=True, bias_initializer="random_normal")
    x = rng.standard_normal((3, 6, 5)).astype(np.float32)
    with baro.GradientTape() as tape:
        y = layer(x)
        loss = baro.reduce_sum(y * y)
    grads = [g.numpy() for g in tape.gradient(loss, layer.trainable_weights)]

    def to_torch(a):  # Keras gates z, r, h -> torch r, z, n (last axis)
        z, r, n = np.split(a, 3, axis=-1)
        return np.concatenate([r, z, n], axis=-1)

    kernel, recurrent, bias = layer.get_weights()
    net = torch.nn.GRU(5, 4, batch_first=True)  # torch's GRU is reset_after
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(to_torch(kernel).T))
        net.weight_hh_l0.copy_(torch.tensor(to_torch(recurrent).T))
        net.bias_ih_l0.copy_(torch.tensor(to_torch(bias[0])))
        net.bias_hh_l0.copy_(torch.tensor(to_torch(bias[1])))
    out, _ = net(torch.tensor(x))
    (out * out).sum().backward()
    assert_allclose(y, out.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert_allclose(to_torch(grads[0]).T, net.weight_ih_l0.grad.numpy(),
                    rtol=1e-4, atol=1e-5)
    assert_allclose(to_torch(grads[1]).T, net.weight_hh_l0.grad.numpy(),
                    rtol=1e-4, atol=1e-5)
    assert_allclose(to_torch(grads[2][1]), net.bias_hh_l0.grad.numpy(),
                    rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("options", [
    {}, {"reset_after": False, "go_backwards": True, "return_sequences": True},
    {"dropout": 0.3, "recurrent_dropout": 0.4, "return_sequences": True},
    {"dropout": 0.3, "recurrent_dropout": 0.4, "reset_after": False},
    {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
])
def test_fused_layer_equals_generic_rnn_over_the_cell(rng, options):
    cell_options = {k: v for k, v in options.items()
                    if k not in ("go_backwards", "return_sequences")}
    rnn_options = {k: v for k, v in options.items() if k not in cell_options}
    fused = GRU(4, seed=3, return_state=True, **options)
    generic = RNN(GRUCell(4, seed=3, **cell_options), return_state=True,
                  **rnn_options)
    x = rng.standard_normal((3, 5, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 1, 1]], bool)
    state = rng.standard_normal((3, 4)).astype(np.float32)
    fused(x)
    generic(x)
    generic.set_weights(fused.get_weights())
    results = []
    for layer in (fused, generic):
        initial = baro.Variable(state)
        with baro.GradientTape() as tape:
            outputs = layer(x, initial_state=[initial], mask=mask, training=True)
            loss = sum(baro.reduce_sum(o * o) for o in outputs)
        results.append([o.numpy() for o in outputs] +
                       [g.numpy() for g in tape.gradient(
                           loss, layer.trainable_weights + [initial])])
    for a, b in zip(*results, strict=True):
        assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        GRU(-1)
    with pytest.raises(ValueError, match=r"recurrent_dropout must be a number"):
        GRUCell(3, recurrent_dropout=-0.1)
