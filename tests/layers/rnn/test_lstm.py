"""LSTM and LSTMCell: Keras's weights and counts, references, masks, states."""

import numpy as np
import pytest

import baro
from baro.keras import Input, Model, Sequential
from baro.layers.core.dense import Dense
from baro.layers.core.embedding import Embedding
from baro.layers.rnn.lstm import LSTM, LSTMCell
from baro.layers.rnn.rnn import RNN
from baro.testing import assert_allclose, gradcheck, run_layer_test


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _lstm_reference(x, kernel, recurrent_kernel, bias):
    """Keras's LSTMCell equations, step by step (gate order i, f, c, o)."""
    units = recurrent_kernel.shape[0]
    h = c = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        i, f, g, o = np.split(x[:, t] @ kernel + h @ recurrent_kernel + bias, 4, -1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, 1), h, c


def test_standard_checks_and_keras_parameter_counts():
    run_layer_test(LSTM, {"units": 3}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=3,
                   expected_num_non_trainable_weights=0, expected_num_params=108)
    run_layer_test(LSTM, {"units": 3, "return_sequences": True,
                          "return_state": True, "go_backwards": True},
                   input_shape=(2, 4, 5),
                   expected_output_shape=[(2, 4, 3), (2, 3), (2, 3)])
    layer = LSTM(128)
    layer.build((None, 28, 28))
    assert layer.count_params() == 80384  # 4 * (128 * (28 + 128) + 128)
    kernel, recurrent, bias = layer.weights
    assert (kernel.shape, recurrent.shape, bias.shape) == \
        ((28, 512), (128, 512), (512,))
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/lstm_cell/kernel", f"{layer.name}/lstm_cell/recurrent_kernel",
        f"{layer.name}/lstm_cell/bias"]


def test_unit_forget_bias_sets_the_forget_gate_bias_to_one():
    layer = LSTM(4)
    layer.build((None, 3, 2))
    assert_allclose(layer.cell.bias, [0] * 4 + [1] * 4 + [0] * 8)
    layer = LSTM(4, unit_forget_bias=False, bias_initializer="ones")
    layer.build((None, 3, 2))
    assert_allclose(layer.cell.bias, np.ones(16))


def test_forward_matches_numpy_reference(rng):
    layer = LSTM(4, return_sequences=True, return_state=True,
                 bias_initializer="random_normal")
    x = rng.standard_normal((3, 6, 5)).astype(np.float32)
    seq, h, c = layer(x)
    ref_seq, ref_h, ref_c = _lstm_reference(x.astype(np.float64),
                                            *[w.astype(np.float64)
                                              for w in layer.get_weights()])
    assert seq.dtype == np.float32
    assert_allclose(seq, ref_seq, rtol=1e-5, atol=1e-6)
    assert_allclose(h, ref_h, rtol=1e-5, atol=1e-6)
    assert_allclose(c, ref_c, rtol=1e-5, atol=1e-6)


def test_forward_and_gradients_match_torch(rng):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    layer = LSTM(4, return_sequences=True, bias_initializer="random_normal")
    x = rng.standard_normal((3, 6, 5)).astype(np.float32)
    with baro.GradientTape() as tape:
        y = layer(x)
        loss = baro.reduce_sum(y * y)
    grads = tape.gradient(loss, layer.trainable_weights)
    kernel, recurrent, bias = layer.get_weights()
    net = torch.nn.LSTM(5, 4, batch_first=True)  # same gate order i, f, g, o
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(kernel.T))
        net.weight_hh_l0.copy_(torch.tensor(recurrent.T))
        net.bias_ih_l0.copy_(torch.tensor(bias))
        net.bias_hh_l0.zero_()
    out, _ = net(torch.tensor(x))
    (out * out).sum().backward()
    assert_allclose(y, out.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert_allclose(grads[0], net.weight_ih_l0.grad.numpy().T, rtol=1e-4, atol=1e-5)
    assert_allclose(grads[1], net.weight_hh_l0.grad.numpy().T, rtol=1e-4, atol=1e-5)
    assert_allclose(grads[2], net.bias_ih_l0.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("options", [
    {}, {"go_backwards": True, "return_sequences": True},
    {"dropout": 0.3, "recurrent_dropout": 0.4, "return_sequences": True},
    {"dropout": 0.3}, {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
])
def test_fused_layer_equals_generic_rnn_over_the_cell(rng, options):
    """Same numbers (outputs and gradients) with masks, initial states and
    seeded dropout in training, whether fused or stepping LSTMCell with ops."""
    cell_options = {k: v for k, v in options.items()
                    if k not in ("go_backwards", "return_sequences")}
    rnn_options = {k: v for k, v in options.items() if k not in cell_options}
    fused = LSTM(4, seed=7, return_state=True, **options)
    generic = RNN(LSTMCell(4, seed=7, **cell_options), return_state=True,
                  **rnn_options)
    x = rng.standard_normal((3, 5, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 1, 1]], bool)
    states = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2)]
    fused(x)
    generic(x)
    generic.set_weights(fused.get_weights())
    results = []
    for layer in (fused, generic):
        initial = [baro.Variable(s) for s in states]
        with baro.GradientTape() as tape:
            outputs = layer(x, initial_state=initial, mask=mask, training=True)
            loss = sum(baro.reduce_sum(o * o) for o in outputs)
        results.append([o.numpy() for o in outputs] +
                       [g.numpy() for g in tape.gradient(
                           loss, layer.trainable_weights + initial)])
    for a, b in zip(*results, strict=True):
        assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_gradients_of_initial_states_match_finite_differences(rng):
    layer = LSTM(3, dtype="float64", return_sequences=True)
    x = rng.standard_normal((2, 4, 3))
    layer(x)
    gradcheck(lambda x, h, c: layer(x, initial_state=[h, c]), x,
              rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))


def test_dropout_only_in_training_and_masks_fixed_over_time(rng):
    layer = LSTM(8, dropout=0.5, seed=1, return_sequences=True)
    x = np.ones((4, 6, 5), np.float32)
    assert_allclose(layer(x), layer(x))
    assert not np.allclose(layer(x, training=True).numpy(), layer(x).numpy())
    cell = layer.cell
    layer(x, training=True)
    assert cell._dropout_mask is None  # drawn per sequence, then cleared
    mask = cell.get_dropout_mask(x[:, 0])
    assert mask.shape == (4, 5)
    cell.reset_dropout_mask()
    per_gate = LSTMCell(8, dropout=0.5, recurrent_dropout=0.5)
    assert len(per_gate.get_dropout_mask(x[:, 0])) == 4  # Keras's implementation 1


def test_embedding_mask_makes_lstm_ignore_padding(rng):
    tokens = [[3, 1, 4], [1, 5, 9, 2, 6], [5]]
    padded = np.zeros((3, 5), np.int32)
    for i, row in enumerate(tokens):
        padded[i, :len(row)] = row
    model = Sequential([Input(shape=(5,), dtype="int32"),
                        Embedding(10, 4, mask_zero=True), LSTM(3)])
    out = model(padded).numpy()
    for i, row in enumerate(tokens):
        alone = model(np.array([row], np.int32)).numpy()
        assert_allclose(out[i], alone[0], rtol=1e-5, atol=1e-6)
    left = np.zeros((1, 5), np.int32)
    left[0, 2:] = tokens[0]  # left padding: skipped steps keep zero states
    assert_allclose(model(left).numpy()[0], out[0], rtol=1e-5, atol=1e-6)


def test_masked_sequence_output_repeats_the_last_output(rng):
    layer = LSTM(2, return_sequences=True)
    x = rng.standard_normal((1, 4, 3)).astype(np.float32)
    mask = np.array([[False, True, False, True]])
    y = layer(x, mask=mask).numpy()[0]
    assert_allclose(y[0], [0, 0])  # before the first kept step: zeros
    assert_allclose(y[2], y[1])
    assert not np.allclose(y[3], y[2])


def test_go_backwards_reads_the_sequence_reversed(rng):
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    forward = LSTM(4, return_sequences=True)
    backward = LSTM(4, return_sequences=True, go_backwards=True)
    forward(x)
    backward(x)
    backward.set_weights(forward.get_weights())
    assert_allclose(backward(x), forward(x[:, ::-1]), rtol=1e-6, atol=1e-6)


def test_stateful_layer_carries_states_between_batches(rng):
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    whole = LSTM(4)
    stateful = LSTM(4, stateful=True)
    whole(x)
    stateful(x[:, :3])
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()
    stateful(x[:, :3])
    assert_allclose(stateful(x[:, 3:]), whole(x), rtol=1e-5, atol=1e-6)
    assert len(stateful.states) == 2 and len(stateful.weights) == 3  # not weights
    stateful.reset_states()
    assert_allclose(stateful(x[:, :3]), whole(x[:, :3]), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="stateful with batch size 2.*batch of 3"):
        stateful(np.zeros((3, 2, 3), np.float32))
    with pytest.raises(ValueError, match="fixed batch size"):
        Sequential([Input(shape=(4, 3)), LSTM(2, stateful=True)])


def test_long_sequence_backpropagates_without_recursion_error(rng):
    layer = LSTM(3, return_sequences=True)
    x = baro.Variable(rng.standard_normal((2, 1000, 2)).astype(np.float32))
    with baro.GradientTape() as tape:
        loss = baro.reduce_sum(layer(x))
    assert np.isfinite(tape.gradient(loss, x).numpy()).all()


def test_functional_model_with_initial_state_inputs_trains(rng):
    seq, h0, c0 = Input(shape=(4, 3)), Input(shape=(5,)), Input(shape=(5,))
    out = Dense(1)(LSTM(5)(seq, initial_state=[h0, c0]))
    model = Model([seq, h0, c0], out)
    data = [rng.standard_normal((8, 4, 3)).astype(np.float32),
            np.zeros((8, 5), np.float32), np.zeros((8, 5), np.float32)]
    model.compile("adam", "mse")
    history = model.fit(data, np.ones((8, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    assert_allclose(clone(data), model(data), rtol=1e-6, atol=1e-6)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        LSTM(0)
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
        LSTM(3, dropout=1.5)
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\).*\(2, 3\)"):
        LSTM(3)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"initial_state must be 2 tensor\(s\)"):
        LSTM(3)(np.zeros((2, 4, 3), np.float32), initial_state=[np.zeros((2, 3))])
