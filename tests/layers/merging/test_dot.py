"""Dot: Keras's batch_dot shapes, normalize (cosine), functional dot, errors."""

import numpy as np
import pytest

from baro.layers.core.input_layer import Input
from baro.layers.merging.base_merge import Merge
from baro.layers.merging.dot import Dot, dot
from baro.testing import assert_allclose, run_layer_test


@pytest.mark.parametrize("axes, shapes, expected", [
    (1, [(2, 4), (2, 4)], (2, 1)),
    (-1, [(2, 3, 4), (2, 5, 4)], (2, 3, 5)),
    ((1, 2), [(2, 5, 3), (2, 4, 5)], (2, 3, 4)),
    ((2, 1), [(2, 3, 4), (2, 4)], (2, 3)),
    ((1, 1), [(2, 4), (2, 4, 3)], (2, 3)),
    ((1, 2), [(2, 20), (2, 3, 20)], (2, 3)),
    ((3, 1), [(2, 2, 3, 4), (2, 4, 5)], (2, 2, 3, 5)),
])
def test_shapes_and_harness(axes, shapes, expected):
    layer = run_layer_test(Dot, {"axes": axes}, input_shape=shapes,
                           expected_output_shape=expected, expected_num_params=0)
    symbolic = [(None,) + s[1:] for s in shapes]
    assert layer.compute_output_shape(symbolic) == (None,) + expected[1:]


def _batch_dot(x, y, a1, a2):
    out = np.stack([np.tensordot(x[b], y[b], axes=(a1 - 1, a2 - 1))
                    for b in range(len(x))])
    return out.reshape(len(x), 1) if out.ndim == 1 else out


@pytest.mark.parametrize("axes, shapes", [
    ((1, 2), [(2, 5, 3), (2, 4, 5)]),
    ((3, 1), [(2, 2, 3, 4), (2, 4, 5)]),
    ((2, 2), [(2, 3, 4), (2, 5, 4)]),
])
def test_values_match_tensordot_per_sample(rng, axes, shapes):
    x, y = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    assert_allclose(Dot(axes)([x, y]), _batch_dot(x, y, *axes), rtol=1e-5,
                    atol=1e-6)


def test_keras_example():
    x = np.arange(10.0).reshape(1, 5, 2)
    y = np.arange(10.0, 20.0).reshape(1, 2, 5)
    assert_allclose(Dot(axes=(1, 2))([x, y]), [[[260, 360], [320, 445]]])


def test_normalize_gives_cosine_similarity(rng):
    x, y = rng.standard_normal((2, 4, 3)).astype(np.float32)
    cos = (x * y).sum(-1) / np.linalg.norm(x, axis=-1) / np.linalg.norm(y, axis=-1)
    assert_allclose(Dot(axes=1, normalize=True)([x, y]), cos[:, None], rtol=1e-5)
    zeros = Dot(axes=1, normalize=True)([np.zeros((1, 3)), np.ones((1, 3))])
    assert_allclose(zeros, [[0.0]])
    run_layer_test(Dot, {"axes": (1, 2), "normalize": True},
                   input_shape=[(2, 4, 3), (2, 5, 4)], expected_output_shape=(2, 3, 5))


def test_functional_form_and_symbolic_inputs():
    a, b = Input(shape=(3, 4)), Input(shape=(5, 4))
    assert dot([a, b], axes=2).shape == (None, 3, 5)
    out = dot([np.ones((2, 3)), np.ones((2, 3))], axes=-1)
    assert_allclose(out, [[3.0], [3.0]])
    assert isinstance(Dot(1), Merge)
    assert Dot(axes=(1, 2)).get_config()["axes"] == [1, 2]


def test_errors():
    with pytest.raises(TypeError, match="axes must be an int or a tuple"):
        Dot(axes="1")
    with pytest.raises(ValueError, match="tuple of 2 ints"):
        Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="must be ints"):
        Dot(axes=(1, 2.0))
    with pytest.raises(ValueError, match=r"axis 1 has size 3, axis 1 has size 4"):
        Dot(axes=1)([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="non-batch axis"):
        Dot(axes=0)([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="list of 2 tensors"):
        Dot(axes=1)([np.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match="rank >= 2"):
        Dot(axes=1).compute_output_shape([(3,), (3,)])
