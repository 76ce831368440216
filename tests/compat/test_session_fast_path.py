"""Session.run's fast path (a repeated fetch with the last feed signature) gives
the same results as the full path, and steps aside for anything else."""

import numpy as np
import pytest

import baro.compat.v1 as tf


@pytest.fixture
def graph():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3])
    t = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.ones([3, 1]))
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - t))
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    yield sess, x, t, w, loss, train
    tf.reset_default_graph()


def _numpy_losses(xs, ts):
    w = np.ones((3, 1))
    return [float(((x @ w - t) ** 2).sum()) for x, t in zip(xs, ts, strict=True)]


def test_repeated_loss_fetches_follow_new_values_and_shapes(graph):
    sess, x, t, _, loss, _ = graph
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(n, 3)).astype("float32") for n in (4, 4, 4, 7, 4)]
    ts = [rng.normal(size=(n, 1)).astype("float32") for n in (4, 4, 4, 7, 4)]
    got = [sess.run(loss, feed_dict={x: a, t: b}) for a, b in zip(xs, ts, strict=True)]
    np.testing.assert_allclose(got, _numpy_losses(xs, ts), rtol=1e-5)
    assert id(loss) in sess._fast


def test_training_through_the_fast_path_equals_a_fresh_session_each_step(graph):
    sess, x, t, w, loss, train = graph
    rng = np.random.default_rng(1)
    feed = {x: rng.normal(size=(5, 3)).astype("float32"),
            t: rng.normal(size=(5, 1)).astype("float32")}
    for _ in range(20):
        sess.run(train, feed_dict=feed)
    fast = sess.run(w)
    # The same 20 steps with the fast path defeated (a fresh dict type each call).

    class Feed(dict):
        pass

    sess.run(tf.global_variables_initializer())  # also resets Adam's slots
    for _ in range(20):
        sess.run(train, feed_dict=Feed(feed))
    assert id(train) in sess._fast
    np.testing.assert_array_equal(sess.run(w), fast)


def test_other_dtypes_lists_and_missing_feeds_take_the_full_path(graph):
    sess, x, t, _, loss, _ = graph
    a = np.ones((2, 3), "float32")
    b = np.zeros((2, 1), "float32")
    expected = sess.run(loss, feed_dict={x: a, t: b})
    assert sess.run(loss, feed_dict={x: a.astype("float64"), t: b}) == expected
    assert sess.run(loss, feed_dict={x: a.tolist(), t: b}) == expected
    with pytest.raises(ValueError, match="must feed a value"):
        sess.run(loss, feed_dict={x: a})
    with pytest.raises(ValueError, match="Cannot feed value of shape"):
        sess.run(loss, feed_dict={x: np.ones((2, 4), "float32"), t: b})
    assert sess.run(loss, feed_dict={x: a, t: b}) == expected


def test_initializing_every_variable_by_list_also_resets_optimizer_slots(graph):
    sess, x, t, w, _, train = graph
    feed = {x: np.ones((2, 3), "float32"), t: np.zeros((2, 1), "float32")}
    for _ in range(5):
        sess.run(train, feed_dict=feed)
    first = sess.run(w)
    sess.run(tf.variables_initializer(tf.global_variables()))
    for _ in range(5):
        sess.run(train, feed_dict=feed)
    np.testing.assert_array_equal(sess.run(w), first)


def _xor_weights(flat: bool, steps: int = 30):
    tf.reset_default_graph()
    rng = np.random.default_rng(4)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    w1 = tf.Variable(rng.normal(size=(2, 8)).astype("float32"))
    b1 = tf.Variable(np.zeros(8, "float32"))
    w2 = tf.Variable(rng.normal(size=(8, 1)).astype("float32"))
    b2 = tf.Variable(np.zeros(1, "float32"))
    logits = tf.matmul(tf.tanh(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y,
                                                                  logits=logits))
    optimizer = tf.train.AdamOptimizer(0.05)
    train = optimizer.minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32"),
            y: np.array([[0], [1], [1], [0]], "float32")}
    for _ in range(steps):
        sess.run(train, feed_dict=feed)
    assert (optimizer._bound[3] is not None) == flat
    return [sess.run(v) for v in (w1, b1, w2, b2)]


def test_adam_on_one_flat_buffer_equals_adam_per_variable(monkeypatch):
    flat = _xor_weights(True)
    monkeypatch.setattr(tf.train.AdamOptimizer, "_flatten",
                        lambda self, variables, entries: (None, entries))
    for a, b in zip(flat, _xor_weights(False), strict=True):
        np.testing.assert_array_equal(a, b)


def test_initializing_the_trainable_variables_leaves_the_slots(graph):
    sess, x, t, w, _, train = graph
    feed = {x: np.ones((2, 3), "float32"), t: np.zeros((2, 1), "float32")}
    for _ in range(5):
        sess.run(train, feed_dict=feed)
    optimizer = train.optimizer
    steps = optimizer.iterations
    sess.run(tf.variables_initializer(tf.trainable_variables()))
    assert optimizer.iterations == steps  # TF1: slots are not trainable variables


def test_a_duplicate_in_var_list_is_updated_per_variable():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable(np.ones((2, 1), "float32"))
    b = tf.Variable(np.zeros(1, "float32"))
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) + b))
    optimizer = tf.train.AdamOptimizer(0.1)
    train = optimizer.minimize(loss, var_list=[w, b, w])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train, feed_dict={x: np.ones((3, 2), "float32")})
    assert optimizer._bound[3] is None  # not flattened
