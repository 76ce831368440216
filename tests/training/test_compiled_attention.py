"""Attention with masks that change from batch to batch, through fit's compiled
step: every batch's loss and weights equal an eager run's, bit for bit.

The first two batches carry no padding, so the trace that the compiler
verifies sees the same masks twice; a mask frozen into the plan (an array kept
on the op instead of an op input) would only show from the third batch on.
"""

import numpy as np
import pytest

import baro
from baro import layers

VOCAB, STEPS, FEATURES = 20, 7, 8


def _tokens(n=32, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, VOCAB, size=(n, STEPS))
    for i in range(16, n):  # padding from the third batch of 8 on
        tokens[i, rng.integers(2, STEPS):] = 0
    return tokens, rng.integers(0, 2, n)


def _attention_masks(n=32, seed=1):
    rng = np.random.default_rng(seed)
    masks = rng.random((n, STEPS, STEPS)) < 0.6
    masks[:16] = True
    masks[:, :, 0] = True  # every query sees at least one key
    return masks


def _classifier(inputs, attended):
    pooled = layers.GlobalAveragePooling1D()(attended)
    return baro.keras.Model(inputs, layers.Dense(2, activation="softmax")(pooled))


def _embedded_mha(**call_kwargs):
    def build():
        tokens = layers.Input((STEPS,), dtype="int32")
        x = layers.Embedding(VOCAB, FEATURES, mask_zero=True)(tokens)
        return _classifier(tokens, layers.MultiHeadAttention(2, 4)(x, x,
                                                                   **call_kwargs))
    return build


def _mha_with_attention_mask_input(dropout=0.0):
    def build():
        x = layers.Input((STEPS, FEATURES))
        mask = layers.Input((STEPS, STEPS), dtype="bool")
        attended = layers.MultiHeadAttention(2, 4, dropout=dropout)(
            x, x, attention_mask=mask)
        return _classifier([x, mask], attended)
    return build


def _embedded_attention(**call_kwargs):
    def build():
        tokens = layers.Input((STEPS,), dtype="int32")
        x = layers.Embedding(VOCAB, FEATURES, mask_zero=True)(tokens)
        return _classifier(tokens, layers.Attention()([x, x], **call_kwargs))
    return build


class _Recorder(baro.keras.callbacks.Callback):
    """Every batch's logged loss and the weights after it."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append((logs["loss"], [w.copy() for w in
                                          self.model.get_weights()]))


def _fit(build, x, y, eager: bool):
    baro.random.set_seed(4)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  run_eagerly=eager)
    recorder = _Recorder()
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
              callbacks=[recorder])
    return model, recorder.steps


TOKENS, LABELS = _tokens()
FLOATS = np.random.default_rng(2).normal(size=(32, STEPS, FEATURES)).astype("float32")
CASES = {
    "mha_padding_mask": (_embedded_mha(), TOKENS),
    "mha_padding_and_causal_mask": (_embedded_mha(use_causal_mask=True), TOKENS),
    "mha_attention_mask_input": (_mha_with_attention_mask_input(),
                                 [FLOATS, _attention_masks()]),
    "mha_attention_mask_and_dropout": (_mha_with_attention_mask_input(0.3),
                                       [FLOATS, _attention_masks()]),
    "attention_padding_mask": (_embedded_attention(), TOKENS),
    "attention_padding_and_causal_mask": (_embedded_attention(use_causal_mask=True),
                                          TOKENS),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_fit_with_changing_masks_is_bit_identical_to_eager(name):
    build, x = CASES[name]
    eager_model, eager_steps = _fit(build, x, LABELS, eager=True)
    model, steps = _fit(build, x, LABELS, eager=False)
    assert len(steps) == len(eager_steps) == 8
    for step, ((loss, weights), (eager_loss, eager_weights)) in enumerate(
            zip(steps, eager_steps, strict=True)):
        assert loss == eager_loss, f"batch {step}"
        for w, e in zip(weights, eager_weights, strict=True):
            np.testing.assert_array_equal(w, e, err_msg=f"batch {step}")
    compiler = model._step_compiler
    # Compiled and verified, not an eager fallback: the masks are op inputs.
    assert any(r is not None and r.verified for r in compiler.cache.values()), \
        compiler.reasons
