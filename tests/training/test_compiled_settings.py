"""Ops whose settings come from batch values (a float, an index array, a
sampling grid kept on the op, not fed as an input): fit's compiled step must
notice, from two traces that differ only there, and run such steps eagerly,
bit-identical to an eager fit."""

import numpy as np

import baro
from baro import layers

RNG = np.random.default_rng(0)
IMAGES = RNG.normal(size=(32, 6, 6, 1)).astype("float32")
LABELS = RNG.integers(0, 2, 32)


class _ClipToFirst(layers.Layer):
    """Clips each batch to [x[0, 0], inf): the bound is a tensor, which
    `clip` keeps on its op as an array."""

    def call(self, x):
        return baro.clip_by_value(x, x[0, 0], 1e9)


def _fit(build, x, eager: bool):
    baro.random.set_seed(5)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  run_eagerly=eager)
    history = model.fit(x, LABELS, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model, history.history


def _assert_eager_fallback_matches_eager(build, x):
    eager_model, eager_history = _fit(build, x, eager=True)
    model, history = _fit(build, x, eager=False)
    assert history == eager_history
    for a, b in zip(model.get_weights(), eager_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    compiler = model._step_compiler
    assert list(compiler.cache.values()) == [None], "a plan was trusted"
    assert compiler.reasons


def test_random_rotation_angles_are_not_frozen_into_a_plan():
    # RandomRotation draws its angles in Python and the affine op keeps the
    # sampling grid: replaying a verified plan reused one batch's rotation.
    def build():
        return baro.keras.Sequential([
            layers.Input((6, 6, 1)), layers.RandomRotation(0.2, seed=1),
            layers.Flatten(), layers.Dense(2, activation="softmax")])

    _assert_eager_fallback_matches_eager(build, IMAGES)


def test_a_bound_read_from_the_batch_is_not_frozen_into_a_plan():
    def build():
        return baro.keras.Sequential([layers.Input((5,)), _ClipToFirst(),
                                      layers.Dense(2, activation="softmax")])

    _assert_eager_fallback_matches_eager(build, IMAGES[:, 0, :5, 0])
