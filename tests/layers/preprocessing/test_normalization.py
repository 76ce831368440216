"""Normalization: Keras harness and weights, adapt statistics (arrays, batches,
datasets), fixed statistics, invert, errors."""

import numpy as np
import pytest

from baro.layers.preprocessing.normalization import Normalization
from baro.testing import assert_allclose
from baro.testing.layer_test import run_layer_test
from baro.utils import PyDataset


@pytest.mark.parametrize("kwargs,shape,params", [
    ({"axis": -1}, (3, 4, 3), 7),  # mean (3,), variance (3,), count ()
    ({"axis": (1, 2)}, (3, 4, 3), 25),
    ({"axis": None}, (3, 4, 3), 3),
    ({"axis": -1, "mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}, (3, 4, 3),
     0),
    ({"mean": 2.0, "variance": 3.0, "invert": True}, (3, 5), 0),
])
def test_layer(kwargs, shape, params):
    weights = 3 if params else 0
    run_layer_test(Normalization, kwargs, input_shape=shape,
                   expected_output_shape=shape, expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=weights,
                   expected_num_params=params)


def test_weights_are_keras_named():
    layer = Normalization()
    layer.build((None, 4))
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert [w.shape for w in layer.weights] == [(4,), (4,), ()]
    assert layer.weights[2].dtype == np.int64


def test_keras_doc_examples():
    layer = Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32"))
    assert_allclose(layer(np.array([1.0, 2.0, 3.0], "float32")),
                    [-1.4142135, -0.70710677, 0.0])
    data = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0]] * 2, "float32")
    layer = Normalization(axis=-1)
    layer.adapt(data)
    assert_allclose(layer(np.array([[0.0, 7.0, 4.0]], "float32")), [[-1, -1, -1]])
    layer = Normalization(axis=-1, invert=True)
    layer.adapt(data)
    assert_allclose(layer(np.array([[1.0, 2.0, 3.0]], "float32")), [[2, 10, 8]])
    layer = Normalization(mean=3.0, variance=2.0)
    assert_allclose(layer(np.array([[1.0], [2.0], [3.0]], "float32")),
                    [[-1.4142135], [-0.70710677], [0.0]])


def test_adapt_reduces_every_axis_but_the_kept_ones():
    x = np.random.default_rng(0).standard_normal((6, 4, 5, 3)) * 3 + 1
    layer = Normalization(axis=(1, -1))
    layer.adapt(x)
    assert_allclose(layer.adapt_mean, x.mean(axis=(0, 2)), rtol=1e-5)
    assert_allclose(layer.adapt_variance, x.var(axis=(0, 2)), rtol=1e-5)
    assert int(layer.count.numpy()) == 6 * 5
    y = layer(x.astype("float32")).numpy()
    assert_allclose(y.mean(axis=(0, 2)), np.zeros((4, 3)), atol=1e-5)
    assert_allclose(y.std(axis=(0, 2)), np.ones((4, 3)), rtol=1e-4)


class Batches(PyDataset):
    def __init__(self, x):
        super().__init__()
        self.x = x

    def __len__(self):
        return 3

    def __getitem__(self, i):
        part = self.x[i * 4:(i + 1) * 4]
        return part, np.zeros(len(part))


def test_adapt_on_batches_equals_adapt_on_the_whole_array():
    x = np.random.default_rng(1).standard_normal((10, 3)) * [1, 10, 100] + 5
    whole = Normalization()
    whole.adapt(x)
    for data in ([x[:3], x[3:4], x[4:]], (b for b in np.array_split(x, 4)),
                 [(x[:5], None), (x[5:], None)], Batches(x)):
        layer = Normalization()
        layer.adapt(data)
        assert_allclose(layer.adapt_mean, whole.adapt_mean, rtol=1e-5)
        assert_allclose(layer.adapt_variance, whole.adapt_variance, rtol=1e-5)


def test_constant_feature_is_guarded_by_epsilon():
    layer = Normalization()
    layer.adapt(np.array([[1.0, 0.0], [1.0, 2.0]]))
    y = layer(np.array([[1.0, 1.0]], "float32")).numpy()
    assert np.isfinite(y).all() and y[0, 0] == 0.0


def test_given_statistics_broadcast_from_the_right():
    layer = Normalization(axis=(1, 2), mean=[1.0, 2.0], variance=[4.0, 4.0])
    x = np.ones((2, 3, 2), "float32")
    assert_allclose(layer(x).numpy()[0, 0], [0.0, -0.5])


def test_errors():
    with pytest.raises(ValueError, match="both mean and variance"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="more than the 1 kept"):
        Normalization(mean=np.ones((2, 2)), variance=np.ones((2, 2)))
    with pytest.raises(ValueError, match="axis .* out of range"):
        Normalization(axis=3)(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="does not broadcast"):
        Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="was given mean and variance"):
        Normalization(mean=1.0, variance=1.0).adapt(np.ones((2, 3)))
    layer = Normalization()
    layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"built for inputs of shape \(4, 3\)"):
        layer.adapt(np.ones((4, 2)))
    with pytest.raises(ValueError, match="no data"):
        Normalization().adapt([])
    with pytest.raises(TypeError, match="received int"):
        Normalization().adapt(3)
