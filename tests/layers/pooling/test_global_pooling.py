"""Global max / average pooling (1-D and 2-D): shapes, keepdims, masks."""

import numpy as np
import pytest

import baro
from baro.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from baro.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from baro.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from baro.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test


@pytest.mark.parametrize("cls,kwargs,input_shape,output_shape", [
    # Keras's global_*_pooling_test.py configurations.
    (GlobalMaxPooling1D, dict(), (3, 5, 4), (3, 4)),
    (GlobalMaxPooling1D, dict(keepdims=True), (3, 5, 4), (3, 1, 4)),
    (GlobalMaxPooling1D, dict(data_format="channels_first", keepdims=True),
     (3, 5, 4), (3, 5, 1)),
    (GlobalAveragePooling1D, dict(data_format="channels_first"), (3, 5, 4),
     (3, 5)),
    (GlobalAveragePooling1D, dict(keepdims=True), (3, 5, 4), (3, 1, 4)),
    (GlobalMaxPooling2D, dict(), (3, 5, 6, 4), (3, 4)),
    (GlobalMaxPooling2D, dict(data_format="channels_first", keepdims=True),
     (3, 5, 6, 4), (3, 5, 1, 1)),
    (GlobalAveragePooling2D, dict(keepdims=True), (3, 5, 6, 4), (3, 1, 1, 4)),
    (GlobalAveragePooling2D, dict(data_format="channels_first"), (3, 5, 6, 4),
     (3, 5)),
])
def test_global_pooling_layer_contract(cls, kwargs, input_shape, output_shape):
    layer = run_layer_test(cls, kwargs, input_shape=input_shape,
                           expected_output_shape=output_shape,
                           expected_num_trainable_weights=0,
                           expected_num_non_trainable_weights=0,
                           expected_num_params=0)
    assert layer.compute_output_shape(input_shape) == output_shape
    assert layer.compute_output_shape((None,) + input_shape[1:]) == \
        (None,) + output_shape[1:]


def test_global_pooling_matches_numpy(rng):
    x = rng.standard_normal((2, 4, 5, 3)).astype(np.float32)
    assert_allclose(GlobalMaxPooling2D()(x), x.max(axis=(1, 2)))
    assert_allclose(GlobalAveragePooling2D()(x), x.mean(axis=(1, 2)), rtol=1e-6)
    assert_allclose(GlobalMaxPooling2D(data_format="channels_first")(x),
                    x.max(axis=(2, 3)))
    x1 = x[:, 0]
    assert_allclose(GlobalMaxPooling1D()(x1), x1.max(axis=1))
    assert_allclose(GlobalAveragePooling1D(keepdims=True)(x1),
                    x1.mean(axis=1, keepdims=True), rtol=1e-6)


def test_global_average_pooling1d_averages_unmasked_steps_only(rng):
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    y = GlobalAveragePooling1D()(x, mask=baro.constant(mask))
    assert_allclose(y[0], x[0, :2].mean(axis=0), rtol=1e-6)
    assert_allclose(y[1], x[1].mean(axis=0), rtol=1e-6)
    first = GlobalAveragePooling1D(data_format="channels_first", keepdims=True)
    y = first(np.moveaxis(x, -1, 1), mask=baro.constant(mask))
    assert y.shape == (2, 3, 1)
    assert_allclose(y[0, :, 0], x[0, :2].mean(axis=0), rtol=1e-6)


def test_global_average_pooling1d_consumes_a_propagated_mask(rng):
    x = baro.Tensor(rng.standard_normal((1, 3, 2)).astype(np.float32),
                    requires_grad=True)
    x._keras_mask = baro.constant([[True, False, True]])
    y = GlobalAveragePooling1D()(x)
    assert getattr(y, "_keras_mask", None) is None
    assert_allclose(y, x.numpy()[:, [0, 2]].mean(axis=1), rtol=1e-6)
    y.sum().backward()
    assert_allclose(x.grad[0], [[0.5, 0.5], [0.0, 0.0], [0.5, 0.5]])


def test_global_pooling_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"GlobalMaxPooling2D 'g' expects inputs "
                                         r"of rank 4.*\(2, 3\)"):
        GlobalMaxPooling2D(name="g")(np.ones((2, 3)))
    with pytest.raises(ValueError, match="data_format"):
        GlobalAveragePooling1D(data_format="NWC")
