"""TensorFlow-named API: `import baro as tf` code finds TF's names and semantics."""

import numpy as np
import pytest

import baro as tf
from baro.testing import assert_allclose, gradcheck

TOP_LEVEL = """Tensor Variable GradientTape constant convert_to_tensor zeros ones
zeros_like ones_like fill eye range linspace add subtract multiply divide negative pow
square sqrt exp log abs sign sin cos tanh sigmoid maximum minimum matmul reduce_sum
reduce_mean reduce_max reduce_min reduce_prod reduce_std reduce_variance
reduce_logsumexp reduce_any reduce_all argmax argmin cumsum reshape transpose
expand_dims squeeze broadcast_to concat stack split unstack tile repeat pad gather
where clip_by_value cast stop_gradient one_hot equal not_equal less less_equal
greater greater_equal logical_and logical_or logical_not identity no_grad grad
value_and_grad float32 float64 int32 int64""".split()

NN = """relu relu6 leaky_relu elu selu gelu softplus softsign silu swish sigmoid tanh
softmax log_softmax dropout embedding_lookup softmax_cross_entropy_with_logits
sparse_softmax_cross_entropy_with_logits sigmoid_cross_entropy_with_logits moments
l2_loss bias_add conv1d conv2d conv2d_transpose max_pool1d max_pool2d avg_pool1d
avg_pool2d""".split()


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name_exists(name):
    assert hasattr(tf, name)


@pytest.mark.parametrize("name", NN)
def test_nn_name_exists(name):
    assert callable(getattr(tf.nn, name))


def test_split_takes_sizes_like_tf():
    parts = tf.split(tf.range(10), [2, -1, 3])
    assert [p.shape for p in parts] == [(2,), (5,), (3,)]
    assert [p.shape for p in tf.split(tf.ones((4, 6)), 3, axis=1)] == [(4, 2)] * 3
    with pytest.raises(ValueError, match="add up"):
        tf.split(tf.range(10), [2, 3])


def test_where_with_condition_only_returns_coordinates():
    coords = tf.where(tf.constant([[True, False], [False, True]]))
    assert coords.dtype == "int64"
    assert coords.numpy().tolist() == [[0, 0], [1, 1]]


def test_argmax_defaults_to_axis_zero_and_int64():
    x = tf.constant([[1.0, 5.0], [3.0, 2.0]])
    result = tf.argmax(x)
    assert result.dtype == "int64"
    assert result.numpy().tolist() == [1, 0]
    assert tf.argmin(x, axis=1, output_type=tf.int32).numpy().tolist() == [0, 1]


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_exclusive_and_reverse(exclusive, reverse, rng):
    x = rng.standard_normal((3, 4))
    y = x[::-1] if reverse else x
    expected = np.cumsum(y, axis=0) - (y if exclusive else 0)
    expected = expected[::-1] if reverse else expected
    assert_allclose(tf.cumsum(x, exclusive=exclusive, reverse=reverse), expected,
                    rtol=1e-12, atol=1e-12)
    gradcheck(lambda t: tf.cumsum(t, axis=1, exclusive=exclusive, reverse=reverse),
              x)


def test_pad_accepts_tf_mode_names():
    x = tf.constant([[1.0, 2.0]])
    assert tf.pad(x, [[0, 0], [1, 1]], "REFLECT").numpy().tolist() == \
        [[2.0, 1.0, 2.0, 1.0]]
    assert tf.pad(x, [[1, 0], [0, 0]]).numpy().tolist() == [[0.0, 0.0], [1.0, 2.0]]


def test_math_namespace_extras():
    assert_allclose(tf.math.divide_no_nan([1.0, 2.0], [0.0, 4.0]), [0.0, 0.5])
    assert_allclose(tf.math.squared_difference([3.0], [1.0]), [4.0])
    assert_allclose(tf.math.reciprocal([4.0]), [0.25])
    assert_allclose(tf.clip_by_value([-2.0, 0.5, 2.0], -1.0, 1.0), [-1.0, 0.5, 1.0])


def test_nn_adapters_follow_tf_signatures(rng):
    logits = rng.standard_normal((4, 3))
    labels = np.array([0, 2, 1, 1])
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                            logits=logits)
    dense = tf.nn.softmax_cross_entropy_with_logits(labels=np.eye(3)[labels],
                                                    logits=logits)
    assert_allclose(sparse, dense, rtol=1e-12)
    with pytest.raises(ValueError, match="one-hot"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(np.eye(3)[labels], logits)
    mean, variance = tf.nn.moments(logits, axes=[0])
    assert_allclose(mean, logits.mean(0), rtol=1e-12)
    assert_allclose(variance, logits.var(0), rtol=1e-12)
    assert_allclose(tf.nn.l2_loss(logits), (logits**2).sum() / 2, rtol=1e-12)
    assert_allclose(tf.nn.leaky_relu([-1.0]), [-0.2])
    assert_allclose(tf.nn.silu([1.0], beta=2.0), [1 / (1 + np.exp(-2.0))], rtol=1e-6)
    assert_allclose(tf.nn.bias_add(np.zeros((2, 3)), [1.0, 2.0, 3.0]),
                    [[1.0, 2.0, 3.0]] * 2)
    with pytest.raises(ValueError, match="bias_add"):
        tf.nn.bias_add(np.zeros((2, 3)), [1.0, 2.0])


def test_unstack_and_identity():
    parts = tf.unstack(tf.constant([[1.0, 2.0], [3.0, 4.0]]), axis=1)
    assert [p.numpy().tolist() for p in parts] == [[1.0, 3.0], [2.0, 4.0]]
    x = tf.constant([1.0])
    assert tf.identity(x) is x


def test_tensorflow_style_training_step():
    w = tf.Variable(tf.random.normal((3, 1), seed=0))
    x = tf.random.uniform((8, 3), seed=1)
    y = x @ tf.constant([[1.0], [-2.0], [0.5]])
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
        w.assign_sub(0.5 * tape.gradient(loss, w))
    assert float(loss) < 1e-3


def test_tf_nn_conv2d_takes_tf_strides_and_layouts(rng):
    x = rng.standard_normal((2, 6, 6, 3))
    k = rng.standard_normal((3, 3, 3, 4))
    expected = tf.ops.conv(x, k, strides=2, padding="same")
    assert_allclose(tf.nn.conv2d(x, k, strides=[1, 2, 2, 1], padding="SAME"),
                    expected, rtol=1e-10)
    assert_allclose(tf.nn.conv2d(x, k, 2, "SAME"), expected, rtol=1e-10)
    nchw = tf.nn.conv2d(np.moveaxis(x, -1, 1), k, [1, 1, 2, 2], "SAME",
                        data_format="NCHW")
    assert_allclose(np.moveaxis(nchw.numpy(), 1, -1), expected, rtol=1e-10)
    with pytest.raises(ValueError, match="batch and channel"):
        tf.nn.conv2d(x, k, [2, 2, 2, 1], "SAME")
    y = tf.nn.conv1d(x[:, 0], k[0], stride=1, padding="VALID")
    assert y.shape == (2, 4, 4)


def test_tf_nn_conv2d_transpose_hits_output_shape(rng):
    x = rng.standard_normal((1, 4, 4, 3))
    k = rng.standard_normal((3, 3, 2, 3))
    for shape, padding in [((1, 8, 8, 2), "SAME"), ((1, 9, 9, 2), "VALID"),
                           ((1, 7, 7, 2), "SAME")]:
        y = tf.nn.conv2d_transpose(x, k, shape, strides=2, padding=padding)
        assert y.shape == shape
    with pytest.raises(ValueError):
        tf.nn.conv2d_transpose(x, k, (1, 12, 12, 2), strides=2, padding="SAME")


def test_tf_nn_pooling(rng):
    x = rng.standard_normal((2, 4, 4, 3))
    assert_allclose(tf.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID"),
                    x.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4)))
    assert_allclose(tf.nn.avg_pool2d(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
                    x.reshape(2, 2, 2, 2, 2, 3).mean(axis=(2, 4)))
    assert tf.nn.max_pool1d(x[:, 0], 2, 2, "SAME").shape == (2, 2, 3)
    assert tf.nn.max_pool(x, 2, 2, "VALID").shape == (2, 2, 2, 3)
    assert tf.nn.avg_pool(x[:, 0], 3, 1, "SAME").shape == (2, 4, 3)
