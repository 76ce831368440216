"""The TF1 book exercise through `baro.compat.v1`: 100,000 Adam steps of the
monthly-temperature polynomial fit, against the same math in plain NumPy.

Prints seconds for 100,000 steps, the final loss and the ratio to a hand-written
NumPy loop (the floor for per-step overhead). The issue's budget: under 3 s.

    python benchmarks/tf1_temperature.py [--steps 100000] [--dtype float64]
"""

import math
import sys
import time

import numpy as np

import baro.compat.v1 as tf

MONTHLY = [5.2, 5.7, 8.6, 14.9, 18.2, 20.4, 25.5, 26.4, 22.8, 17.5, 11.1, 6.6]


def data(dtype):
    t = np.array(MONTHLY, dtype=dtype).reshape(12, 1)
    x = np.array([[m**n for n in range(5)] for m in range(1, 13)], dtype=dtype)
    return x, t


def baro_run(steps: int, dtype: str) -> tuple[float, float]:
    tf.reset_default_graph()
    x = tf.placeholder(dtype, [None, 5])
    w = tf.Variable(tf.zeros([5, 1], dtype=dtype))
    t = tf.placeholder(dtype, [None, 1])
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - t))
    train_step = tf.train.AdamOptimizer().minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    train_x, train_t = data(dtype)
    feed = {x: train_x, t: train_t}
    start = time.perf_counter()
    for _ in range(steps):
        sess.run(train_step, feed_dict=feed)
    return time.perf_counter() - start, float(sess.run(loss, feed_dict=feed))


def numpy_run(steps: int, dtype: str) -> tuple[float, float]:
    x, t = data(dtype)
    w = np.zeros((5, 1), dtype)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        g = x.T @ (2 * (x @ w - t))
        lr_t = 0.001 * math.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        m += 0.1 * (g - m)
        v += 0.001 * (g * g - v)
        w -= lr_t * m / (np.sqrt(v) + 1e-8)
    return time.perf_counter() - start, float(((x @ w - t) ** 2).sum())


def main(steps: int, dtype: str) -> None:
    b, b_loss = baro_run(steps, dtype)
    n, n_loss = numpy_run(steps, dtype)
    print(f"baro.compat.v1 Session: {b:.2f} s for {steps} steps "
          f"({b / steps * 1e6:.1f} us/step), final loss {b_loss:.4f}")
    print(f"hand-written NumPy:     {n:.2f} s ({n / steps * 1e6:.1f} us/step), "
          f"final loss {n_loss:.4f}")
    print(f"ratio baro/numpy = {b / n:.2f}")


if __name__ == "__main__":
    args = sys.argv
    main(int(args[args.index("--steps") + 1]) if "--steps" in args else 100_000,
         args[args.index("--dtype") + 1] if "--dtype" in args else "float64")
