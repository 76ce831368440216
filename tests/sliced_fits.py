"""Shared check: a compiled fit whose ops slice the batch replays eager exactly."""

import numpy as np

import baro


def assert_sliced_fit_matches_eager(build, x, y, batch_size: int) -> None:
    """Fits `build()` (a fresh model, seeded) compiled and eagerly, 3 epochs
    unshuffled with Adam and logits cross-entropy, and checks that the compiled
    steps were verified, replayed under one BLAS thread (`sliced`), and left
    exactly the eager weights."""

    def fit(eager: bool):
        baro.utils.set_random_seed(0)
        model = build()
        loss = baro.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile("adam", loss, run_eagerly=eager)
        model.fit(x, y, batch_size=batch_size, epochs=3, shuffle=False, verbose=0)
        return model

    compiled, eager = fit(False), fit(True)
    replays = [r for r in compiled._step_compiler.cache.values() if r is not None]
    assert replays and all(r.verified and r.sliced for r in replays)
    for a, b in zip(compiled.get_weights(), eager.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
