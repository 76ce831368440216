"""The fused sequence ops: lstm, gru, simple_rnn (baro.ops.recurrent)."""

import warnings

import numpy as np
import pytest

import baro
from baro.ops.recurrent import gru, lstm, simple_rnn
from baro.testing import assert_allclose, gradcheck

B, T, F, U = 3, 5, 4, 3


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _run_reference(step, x, states, mask=None, go_backwards=False,
                   zero_output_for_mask=False):
    """Keras's loop: masked steps keep the states and repeat the last output."""
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs, previous = [], np.zeros_like(states[0])
    for t in order:
        new = step(x[:, t], states)
        out = new[0]
        if mask is not None:
            keep = mask[:, t, None]
            new = [np.where(keep, n, s) for n, s in zip(new, states, strict=True)]
            out = np.where(keep, out, 0.0 if zero_output_for_mask else previous)
        states, previous = new, out
        outputs.append(out)
    return np.stack(outputs, axis=1), states


def lstm_step(k, r, b):
    def step(x, states):
        h, c = states
        i, f, g, o = np.split(x @ k + h @ r + b, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        return [_sigmoid(o) * np.tanh(c), c]
    return step


def gru_step(k, r, b, reset_after):
    def step(x, states):
        (h,) = states
        u = h.shape[1]
        b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros_like(b))
        x_z, x_r, x_h = np.split(x @ k + b_in, 3, axis=-1)
        p = h @ r + b_rec
        z = _sigmoid(x_z + p[:, :u])
        rr = _sigmoid(x_r + p[:, u:2 * u])
        if reset_after:
            n = np.tanh(x_h + rr * p[:, 2 * u:])
        else:
            n = np.tanh(x_h + (rr * h) @ r[:, 2 * u:])
        return [z * h + (1 - z) * n]
    return step


def rnn_step(k, r, b, activation=np.tanh):
    return lambda x, states: [activation(x @ k + states[0] @ r + b)]


@pytest.fixture
def data(rng):
    def draw(*shape, scale=0.5):
        return rng.standard_normal(shape) * scale
    mask = np.ones((B, T), bool)
    mask[0, 3:] = False  # right padding
    mask[1, :2] = False  # left padding
    mask[2, 2] = False   # a hole
    return {"x": draw(B, T, F, scale=1.0), "k": draw(F, 4 * U), "r": draw(U, 4 * U),
            "b": draw(4 * U), "b2": draw(2, 3 * U), "h": draw(B, U), "c": draw(B, U),
            "mask": mask}


OPTIONS = [
    {},
    {"return_sequences": True},
    {"return_sequences": True, "go_backwards": True},
    {"mask": "mask", "return_sequences": True},
    {"mask": "mask"},
    {"mask": "mask", "go_backwards": True, "return_sequences": True,
     "zero_output_for_mask": True},
]


def _options(option, data):
    option = dict(option)
    if option.get("mask") == "mask":
        option["mask"] = data["mask"]
    return option


@pytest.mark.parametrize("option", OPTIONS)
def test_lstm_matches_step_by_step_reference(data, option):
    option = _options(option, data)
    d = data
    out, h, c = lstm(d["x"], d["k"], d["r"], d["b"], [d["h"], d["c"]], **option)
    ref_seq, (ref_h, ref_c) = _run_reference(
        lstm_step(d["k"], d["r"], d["b"]), d["x"], [d["h"], d["c"]],
        option.get("mask"), option.get("go_backwards", False),
        option.get("zero_output_for_mask", False))
    expected = ref_seq if option.get("return_sequences") else ref_seq[:, -1]
    assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    assert_allclose(h, ref_h, rtol=1e-10, atol=1e-12)
    assert_allclose(c, ref_c, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("option", OPTIONS[::2] + [OPTIONS[3]])
def test_gru_matches_step_by_step_reference(data, option, reset_after):
    option = _options(option, data)
    d = data
    k, r = d["k"][:, :3 * U], d["r"][:, :3 * U]
    b = d["b2"] if reset_after else d["b2"][0]
    out, h = gru(d["x"], k, r, b, d["h"], reset_after=reset_after, **option)
    ref_seq, (ref_h,) = _run_reference(
        gru_step(k, r, b, reset_after), d["x"], [d["h"]], option.get("mask"),
        option.get("go_backwards", False), option.get("zero_output_for_mask", False))
    expected = ref_seq if option.get("return_sequences") else ref_seq[:, -1]
    assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    assert_allclose(h, ref_h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear",
                                        "hard_sigmoid"])
def test_simple_rnn_matches_reference_for_each_fused_activation(data, activation):
    d = data
    fn = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0), "sigmoid": _sigmoid,
          "linear": lambda a: a,
          "hard_sigmoid": lambda a: np.clip(a / 6 + 0.5, 0, 1)}[activation]
    k, r, b = d["k"][:, :U], d["r"][:, :U], d["b"][:U]
    out, h = simple_rnn(d["x"], k, r, b, d["h"], mask=d["mask"],
                        return_sequences=True, activation=activation)
    ref_seq, (ref_h,) = _run_reference(rnn_step(k, r, b, fn), d["x"], [d["h"]],
                                       d["mask"])
    assert_allclose(out, ref_seq, rtol=1e-10, atol=1e-12)
    assert_allclose(h, ref_h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("option", OPTIONS)
def test_gradients_match_finite_differences(data, option):
    option = _options(option, data)
    d = data
    gradcheck(lambda x, k, r, b, h, c: lstm(x, k, r, b, [h, c], **option),
              d["x"], d["k"], d["r"], d["b"], d["h"], d["c"])
    for reset_after, b in ((True, d["b2"]), (False, d["b2"][0])):
        gradcheck(lambda x, k, r, b, h, ra=reset_after: gru(
            x, k, r, b, h, reset_after=ra, **option),
            d["x"], d["k"][:, :3 * U], d["r"][:, :3 * U], b, d["h"])
    gradcheck(lambda x, k, r, b, h: simple_rnn(x, k, r, b, h, **option),
              d["x"], d["k"][:, :U], d["r"][:, :U], d["b"][:U], d["h"])


def test_gradients_with_dropout_masks_one_or_per_gate(data, rng):
    d = data

    def masks(gates, n):
        return (rng.random((gates, B, n)) > 0.3) / 0.7

    for gates in (1, 4):
        im, rm = masks(gates, F), masks(gates, U)
        gradcheck(lambda x, k, r, b, h, c, im=im, rm=rm: lstm(
            x, k, r, b, [h, c], mask=d["mask"], input_dropout_masks=im,
            recurrent_dropout_masks=rm), d["x"], d["k"], d["r"], d["b"], d["h"],
            d["c"])
    for reset_after in (True, False):
        im, rm = masks(3, F), masks(3, U)
        gradcheck(lambda x, k, r, h, ra=reset_after, im=im, rm=rm: gru(
            x, k, r, None, h, reset_after=ra, return_sequences=True,
            input_dropout_masks=im, recurrent_dropout_masks=rm),
            d["x"], d["k"][:, :3 * U], d["r"][:, :3 * U], d["h"])
    im, rm = masks(1, F)[0], masks(1, U)[0]
    gradcheck(lambda x, k, r, h: simple_rnn(
        x, k, r, None, h, input_dropout_masks=im, recurrent_dropout_masks=rm,
        activation="hard_sigmoid"), d["x"], d["k"][:, :U], d["r"][:, :U], d["h"])


def test_gradients_with_one_input_mask_and_no_recurrent_dropout(data, rng):
    # The stacked fast paths: x * mask rides in the step's matmul operand.
    d = data
    im = (rng.random((B, F)) > 0.3) / 0.7
    gradcheck(lambda x, k, r, b, h, c: lstm(
        x, k, r, b, [h, c], mask=d["mask"], return_sequences=True,
        input_dropout_masks=im), d["x"], d["k"], d["r"], d["b"], d["h"], d["c"])
    for reset_after, b in ((True, d["b2"]), (False, d["b2"][0])):
        gradcheck(lambda x, k, r, b, h, ra=reset_after: gru(
            x, k, r, b, h, reset_after=ra, mask=d["mask"], input_dropout_masks=im),
            d["x"], d["k"][:, :3 * U], d["r"][:, :3 * U], b, d["h"])
    gradcheck(lambda x, k, r, b, h: simple_rnn(
        x, k, r, b, h, go_backwards=True, input_dropout_masks=im),
        d["x"], d["k"][:, :U], d["r"][:, :U], d["b"][:U], d["h"])


@pytest.mark.parametrize("activation, recurrent_activation",
                         [("relu", "hard_sigmoid"), ("linear", "tanh"),
                          ("sigmoid", "sigmoid")])
def test_other_activations_match_reference_and_finite_differences(
        data, activation, recurrent_activation):
    d = data
    fns = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0), "sigmoid": _sigmoid,
           "linear": lambda a: a, "hard_sigmoid": lambda a: np.clip(a / 6 + 0.5, 0, 1)}
    act, ract = fns[activation], fns[recurrent_activation]
    names = {"activation": activation, "recurrent_activation": recurrent_activation}

    def lstm_ref(x, states):
        h, c = states
        i, f, g, o = np.split(x @ d["k"] + h @ d["r"] + d["b"], 4, axis=-1)
        c = ract(f) * c + ract(i) * act(g)
        return [ract(o) * act(c), c]

    out, _, _ = lstm(d["x"], d["k"], d["r"], d["b"], [d["h"], d["c"]],
                     mask=d["mask"], return_sequences=True, **names)
    ref, _ = _run_reference(lstm_ref, d["x"], [d["h"], d["c"]], d["mask"])
    assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
    k, r = d["k"][:, :3 * U], d["r"][:, :3 * U]

    def gru_ref(x, states):
        (h,) = states
        x_z, x_r, x_h = np.split(x @ k + d["b2"][0], 3, axis=-1)
        p = h @ r + d["b2"][1]
        z, rr = ract(x_z + p[:, :U]), ract(x_r + p[:, U:2 * U])
        return [z * h + (1 - z) * act(x_h + rr * p[:, 2 * U:])]

    out, _ = gru(d["x"], k, r, d["b2"], d["h"], return_sequences=True, **names)
    ref, _ = _run_reference(gru_ref, d["x"], [d["h"]])
    assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
    # Inputs kept off relu's and hard_sigmoid's kinks by the random draw.
    gradcheck(lambda x, k, r, b, h, c: lstm(x, k, r, b, [h, c], **names),
              d["x"], d["k"], d["r"], d["b"], d["h"], d["c"])
    for reset_after, b in ((True, d["b2"]), (False, d["b2"][0])):
        gradcheck(lambda x, k, r, b, h, ra=reset_after: gru(
            x, k, r, b, h, reset_after=ra, **names),
            d["x"], k, r, b, d["h"])


def test_per_gate_dropout_masks_apply_to_their_gate(data, rng):
    d = data
    im = (rng.random((4, B, F)) > 0.4) / 0.6
    rm = (rng.random((4, B, U)) > 0.4) / 0.6
    out, _, _ = lstm(d["x"], d["k"], d["r"], d["b"], [d["h"], d["c"]],
                     input_dropout_masks=im, recurrent_dropout_masks=rm)

    def step(x, states):
        h, c = states
        z = np.concatenate(
            [(x * im[j]) @ d["k"][:, j * U:(j + 1) * U] +
             (h * rm[j]) @ d["r"][:, j * U:(j + 1) * U] for j in range(4)], axis=1)
        i, f, g, o = np.split(z + d["b"], 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        return [_sigmoid(o) * np.tanh(c), c]

    ref, _ = _run_reference(step, d["x"], [d["h"], d["c"]])
    assert_allclose(out, ref[:, -1], rtol=1e-10, atol=1e-12)


def test_lstm_and_gru_match_torch(data):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    d = data
    layer = torch.nn.LSTM(F, U, batch_first=True).double()
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.tensor(d["k"].T))  # gate order i, f, g, o
        layer.weight_hh_l0.copy_(torch.tensor(d["r"].T))
        layer.bias_ih_l0.copy_(torch.tensor(d["b"]))
        layer.bias_hh_l0.zero_()
        expected, (h, c) = layer(torch.tensor(d["x"]), (torch.tensor(d["h"])[None],
                                                        torch.tensor(d["c"])[None]))
    out, h_t, c_t = lstm(d["x"], d["k"], d["r"], d["b"], [d["h"], d["c"]],
                         return_sequences=True)
    assert_allclose(out, expected.numpy(), rtol=1e-10, atol=1e-12)
    assert_allclose(c_t, c[0].numpy(), rtol=1e-10, atol=1e-12)

    def to_torch(a):  # Keras z, r, h -> torch r, z, n
        z, r, n = np.split(a, 3, axis=-1)
        return np.concatenate([r, z, n], axis=-1)

    k, r, b = d["k"][:, :3 * U], d["r"][:, :3 * U], d["b2"]
    layer = torch.nn.GRU(F, U, batch_first=True).double()
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.tensor(to_torch(k).T))
        layer.weight_hh_l0.copy_(torch.tensor(to_torch(r).T))
        layer.bias_ih_l0.copy_(torch.tensor(to_torch(b[0])))
        layer.bias_hh_l0.copy_(torch.tensor(to_torch(b[1])))
        expected, _ = layer(torch.tensor(d["x"]), torch.tensor(d["h"])[None])
    out, _ = gru(d["x"], k, r, b, d["h"], return_sequences=True)
    assert_allclose(out, expected.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_stays_float32_and_saturated_gates_do_not_warn(rng):
    x = (rng.standard_normal((2, 4, 3)) * 1e4).astype(np.float32)
    k = np.ones((3, 8), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, h, c = lstm(x, k, np.ones((2, 8), np.float32))
    assert out.dtype == h.dtype == c.dtype == np.float32
    assert np.isfinite(out.numpy()).all()


def test_outputs_do_not_alias_reused_buffers(data):
    d = data
    first, _, _ = lstm(d["x"], d["k"], d["r"], d["b"], return_sequences=True)
    kept = first.numpy().copy()
    for _ in range(3):
        lstm(d["x"] * 2, d["k"], d["r"], d["b"], return_sequences=True)
    assert_allclose(first, kept, rtol=0, atol=0)


def test_gradients_reach_only_what_needs_them(data):
    d = data
    x = baro.Tensor(d["x"])
    k = baro.Tensor(d["k"], requires_grad=True)
    out, _, _ = lstm(x, k, d["r"], d["b"])
    out.sum().backward()
    assert k.grad.shape == k.shape and x.grad is None


def test_bad_arguments_are_explained(data):
    d = data
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\).*\(3, 4\)"):
        lstm(d["x"][:, 0], d["k"], d["r"])
    with pytest.raises(ValueError, match="kernel"):
        lstm(d["x"], d["k"][:, :8], d["r"])
    with pytest.raises(ValueError, match=r"initial_state must be 2 tensor\(s\)"):
        lstm(d["x"], d["k"], d["r"], initial_state=[d["h"]])
    with pytest.raises(ValueError, match="no fused kernel"):
        simple_rnn(d["x"], d["k"][:, :U], d["r"][:, :U], activation="gelu")
    with pytest.raises(ValueError, match=r"mask must have shape"):
        gru(d["x"], d["k"][:, :9], d["r"][:, :9], mask=np.ones((B, T + 1), bool))
    with pytest.raises(ValueError, match=r"bias must have shape \(2, 9\)"):
        gru(d["x"], d["k"][:, :9], d["r"][:, :9], bias=np.zeros(9))


def test_buffer_pool_stays_within_its_limit(data, monkeypatch):
    from baro.ops import recurrent

    monkeypatch.setattr(recurrent._Workspace, "limit", 20_000)
    monkeypatch.setattr(recurrent._Workspace, "free", {})
    monkeypatch.setattr(recurrent._Workspace, "pooled", [0])
    d = data
    for steps in (2, 3, 4, 5):
        x = baro.Tensor(d["x"][:, :steps], requires_grad=True)
        out, _, _ = lstm(x, d["k"], d["r"], d["b"], return_sequences=True)
        out.sum().backward()
        pooled = sum(a.nbytes for v in recurrent._Workspace.free.values() for a in v)
        assert pooled == recurrent._Workspace.pooled[0] <= 20_000
    ref, _ = _run_reference(lstm_step(d["k"], d["r"], d["b"]), d["x"],
                            [np.zeros((B, U)), np.zeros((B, U))])
    assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
