"""GroupNormalization: Keras's numbers, torch parity, groups=-1, errors."""

import numpy as np
import pytest

from baro.layers.core.input_layer import Input
from baro.layers.normalization.group_normalization import GroupNormalization
from baro.testing import assert_allclose, run_layer_test


def test_keras_counts_and_harness():
    layer = run_layer_test(
        GroupNormalization, {"gamma_regularizer": "l2", "beta_regularizer": "l2"},
        input_shape=(3, 4, 32), expected_output_shape=(3, 4, 32),
        expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
        expected_num_params=64)
    assert len(layer.losses) == 2
    run_layer_test(GroupNormalization, {"groups": 2, "axis": 1},
                   input_shape=(2, 4, 3, 3), expected_output_shape=(2, 4, 3, 3),
                   expected_num_params=8)


def test_keras_correctness_1d_and_2d():
    x = np.array([[-1.0, -1.0, 1.0, 1.0, 2.0, 2.0, 0, -2.0]])
    one = GroupNormalization(groups=1, scale=False, center=False)
    assert_allclose(one(x), [[-0.898, -0.898, 0.539, 0.539, 1.257, 1.257, -0.180,
                              -1.616]], atol=1e-3)
    two = GroupNormalization(groups=2, axis=1, scale=False, center=False)
    assert_allclose(two(x), [[-1.0, -1.0, 1.0, 1.0, 0.904, 0.904, -0.301, -1.507]],
                    atol=1e-3)
    x = np.array([[[-1.0, -1.0, 2.0, 2.0], [1.0, 1.0, 0, -2.0]]])
    two = GroupNormalization(groups=2, axis=2, scale=False, center=False)
    assert_allclose(two(x), [[[-1.0, -1.0, 0.904, 0.904], [1.0, 1.0, -0.301,
                                                            -1.507]]], atol=1e-3)


def test_keras_channels_first_broadcasting():
    x = np.arange(16, dtype=np.float32).reshape((1, 4, 2, 2))
    block = [[-1.5274, -1.0910], [-0.6546, -0.2182]], \
        [[0.2182, 0.6546], [1.0910, 1.5274]]
    expected = np.array([[*block, *block]])
    assert_allclose(GroupNormalization(groups=2, axis=1)(x), expected, atol=1e-3)


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_matches_torch_group_norm(rng, groups):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = rng.standard_normal((2, 4, 3, 5)).astype(np.float32)
    first = GroupNormalization(groups=groups, axis=1, epsilon=1e-5,
                               gamma_initializer="random_normal",
                               beta_initializer="random_normal")
    y = first(x)
    weight = torch.tensor(first.gamma.numpy())
    bias = torch.tensor(first.beta.numpy())
    ref = torch.nn.functional.group_norm(torch.tensor(x), groups, weight, bias,
                                         eps=1e-5).numpy()
    assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    last = GroupNormalization(groups=groups, epsilon=1e-5)
    last(np.moveaxis(x, 1, -1))
    last.set_weights(first.get_weights())
    assert_allclose(last(np.moveaxis(x, 1, -1)), np.moveaxis(ref, 1, -1),
                    rtol=1e-4, atol=1e-5)


def test_groups_minus_one_is_instance_norm():
    x = np.array([[[-1.0, 1.0, 0, 2.0], [1.0, 3.0, -4, -2.0]]])
    layer = GroupNormalization(groups=-1, scale=False, center=False)
    assert_allclose(layer(x), [[[-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, -1.0]]],
                    atol=1e-3)
    assert layer.get_config()["groups"] == 4


def test_errors():
    with pytest.raises(ValueError, match="cannot be more than the number of"):
        GroupNormalization(groups=5)(np.ones((2, 2, 2, 4)))
    with pytest.raises(ValueError, match="must be a multiple"):
        GroupNormalization(groups=3)(np.ones((2, 2, 2, 4)))
    for bad in (0, -2, 1.5, "32"):
        with pytest.raises(ValueError, match="groups must be a positive int"):
            GroupNormalization(groups=bad)
    with pytest.raises(ValueError, match="known size"):
        GroupNormalization()(Input(shape=(2, 2, None)))
    with pytest.raises(ValueError, match="non-batch axis"):
        GroupNormalization(groups=1, axis=0)(np.ones((2, 3)))
