"""TF1 graph mode in the style of the classic book exercises (our own code)."""

import numpy as np
import pytest

import baro.compat.v1 as tf
from baro.testing import assert_allclose

MONTHLY = [5.2, 5.7, 8.6, 14.9, 18.2, 20.4, 25.5, 26.4, 22.8, 17.5, 11.1, 6.6]


def temperature_regression(dtype, steps=100_000):
    """The book's exercise: a degree-4 polynomial fit of monthly temperatures."""
    tf.reset_default_graph()
    x = tf.placeholder(dtype, [None, 5])
    w = tf.Variable(tf.zeros([5, 1], dtype=dtype))
    y = tf.matmul(x, w)
    t = tf.placeholder(dtype, [None, 1])
    loss = tf.reduce_sum(tf.square(y - t))
    train_step = tf.train.AdamOptimizer().minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    train_t = np.array(MONTHLY).reshape([12, 1])
    train_x = np.zeros([12, 5])
    for row, month in enumerate(range(1, 13)):
        for col, n in enumerate(range(0, 5)):
            train_x[row][col] = month**n
    for _ in range(steps):
        sess.run(train_step, feed_dict={x: train_x, t: train_t})
    return sess.run(loss, feed_dict={x: train_x, t: train_t}), sess.run(w)


def test_polynomial_regression_float64_reaches_the_tf1_loss():
    loss, w = temperature_regression(tf.float64)
    assert abs(loss - 21.69) / 21.69 < 0.005
    assert w.shape == (5, 1) and w.dtype == np.float64


def test_polynomial_regression_float32_lands_where_tf_and_torch_land():
    loss, _ = temperature_regression(tf.float32)
    assert 15.0 < loss < 23.0


def test_fetch_structures_feeds_and_initialization():
    tf.reset_default_graph()
    a = tf.placeholder(tf.float32, [None, 2], name="a")
    v = tf.Variable([[1.0], [2.0]], name="v")
    product = tf.matmul(a, v)
    total = tf.reduce_sum(product)
    with tf.Session() as sess:
        with pytest.raises(tf.FailedPreconditionError, match="uninitialized value v"):
            sess.run(product, feed_dict={a: [[1.0, 1.0]]})
        sess.run(tf.global_variables_initializer())
        feed = {a: [[1.0, 1.0], [0.0, 1.0]]}
        assert_allclose(sess.run(product, feed_dict=feed), [[3.0], [2.0]])
        p, s = sess.run([product, total], feed_dict=feed)
        assert s == 5.0
        pair = sess.run((total, v), feed_dict=feed)
        assert isinstance(pair, tuple) and pair[1].shape == (2, 1)
        named = sess.run({"sum": total, "nested": [total, product]}, feed_dict=feed)
        assert named["sum"] == 5.0 and named["nested"][1].shape == (2, 1)
        with pytest.raises(ValueError, match="must feed a value for placeholder tensor "
                                             "'a' with dtype float32 and shape"):
            sess.run(total)
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 3\)"):
            sess.run(total, feed_dict={a: np.ones((2, 3))})
        assert total.eval(feed_dict=feed) == 5.0


def test_static_shapes_like_tf1():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 784])
    w = tf.Variable(tf.zeros([784, 10]))
    logits = tf.matmul(x, w)
    assert x.get_shape().as_list() == [None, 784]
    assert int(logits.shape[1]) == 10 and logits.shape[0] is None
    assert logits.dtype == np.float32
    assert str(x.shape) == "(?, 784)"


def test_softmax_regression_with_argmax_accuracy_is_recomputed_each_run():
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 4)) * 3
    labels = rng.integers(0, 3, 300)
    data = (centers[labels] + rng.standard_normal((300, 4))).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[labels]
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4])
    y_ = tf.placeholder(tf.float32, [None, 3])
    W = tf.Variable(tf.zeros([4, 3]))
    b = tf.Variable(tf.zeros([3]))
    y = tf.matmul(x, W) + b
    cross_entropy = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y))
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(accuracy, feed_dict={x: data, y_: onehot})
        for i in range(0, 300, 30):
            sess.run(train_step, feed_dict={x: data[i:i + 30], y_: onehot[i:i + 30]})
        after = sess.run(accuracy, feed_dict={x: data, y_: onehot})
    assert before < 0.5
    assert after > 0.9


def test_tf1_optimizers_follow_tf1_update_rules():
    def one_step(optimizer, steps=2):
        tf.reset_default_graph()
        w = tf.Variable(np.array([1.0, -2.0]))
        loss = tf.reduce_sum(w * w)  # gradient 2w
        op = optimizer.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(op)
            return sess.run(w)

    w0 = np.array([1.0, -2.0])
    assert_allclose(one_step(tf.train.GradientDescentOptimizer(0.1), 1), w0 - 0.2 * w0)
    w1 = w0 - 0.1 * 2 * w0
    accum = 0.9 * (2 * w0) + 2 * w1
    assert_allclose(one_step(tf.train.MomentumOptimizer(0.1, 0.9)), w1 - 0.1 * accum)
    acc = 0.1 + (2 * w0) ** 2
    assert_allclose(one_step(tf.train.AdagradOptimizer(0.1), 1),
                    w0 - 0.1 * 2 * w0 / np.sqrt(acc))
    ms = 0.9 * 1.0 + 0.1 * (2 * w0) ** 2  # TF1 starts ms at ones
    assert_allclose(one_step(tf.train.RMSPropOptimizer(0.01), 1),
                    w0 - 0.01 * 2 * w0 / np.sqrt(ms + 1e-10))
    lr_t = 0.001 * np.sqrt(1 - 0.999) / (1 - 0.9)
    m, v = 0.1 * 2 * w0, 0.001 * (2 * w0) ** 2
    assert_allclose(one_step(tf.train.AdamOptimizer(), 1),
                    w0 - lr_t * m / (np.sqrt(v) + 1e-8), rtol=1e-6)


def test_gradients_assign_group_and_global_step():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float64, [3])
    w = tf.Variable(np.array([1.0, 2.0, 3.0]))
    y = tf.reduce_sum(w * x * x)
    gw, gx = tf.gradients(y, [w, x])
    step = tf.Variable(0, trainable=False)
    increment = tf.assign_add(step, 1) if hasattr(tf, "assign_add") else \
        step.assign_add(1)
    double = w.assign(w * 2.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {x: np.array([1.0, 2.0, 3.0])}
        grad_w, grad_x = sess.run([gw, gx], feed_dict=feed)
        assert_allclose(grad_w, [1.0, 4.0, 9.0])
        assert_allclose(grad_x, [2.0, 8.0, 18.0])
        sess.run(tf.group(increment, increment))
        assert sess.run(step) in (1, 2)
        assert_allclose(sess.run(double), [2.0, 4.0, 6.0])
        assert_allclose(sess.run(w), [2.0, 4.0, 6.0])


def test_saver_round_trip_and_get_variable_scopes(tmp_path):
    tf.reset_default_graph()
    with tf.variable_scope("layer1"):
        w = tf.get_variable("w", shape=[3, 2], initializer=tf.constant_initializer(0.5))
    with tf.variable_scope("layer1", reuse=True):
        again = tf.get_variable("w")
    assert again is w and w.name == "layer1/w"
    with pytest.raises(ValueError, match="already exists"):
        with tf.variable_scope("layer1"):
            tf.get_variable("w", shape=[3, 2])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign(tf.ones([3, 2]) * 7.0))
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
        sess.run(w.assign(tf.zeros([3, 2])))
        saver.restore(sess, prefix)
        assert_allclose(sess.run(w), np.full((3, 2), 7.0))
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt")
