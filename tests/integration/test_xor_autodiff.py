"""A 2-layer MLP written only with Tensor ops and a hand-written SGD loop learns XOR."""

import numpy as np

import baro


def test_mlp_with_hand_written_sgd_learns_xor():
    baro.utils.set_random_seed(0)
    x = baro.constant([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = baro.constant([[0.0], [1.0], [1.0], [0.0]])
    w1 = baro.Variable(baro.random.normal((2, 8)))
    b1 = baro.Variable(baro.zeros((8,)))
    w2 = baro.Variable(baro.random.normal((8, 1)))
    b2 = baro.Variable(baro.zeros((1,)))
    params = [w1, b1, w2, b2]
    for _ in range(1500):
        probs = baro.sigmoid(baro.nn.relu(x @ w1 + b1) @ w2 + b2)
        eps = 1e-7
        loss = -baro.reduce_mean(y * baro.log(probs + eps)
                                 + (1 - y) * baro.log(1 - probs + eps))
        for p in params:
            p.zero_grad()
        loss.backward()
        with baro.no_grad():
            for p in params:
                p.assign_sub(0.5 * p.grad)
    predictions = (probs.numpy() > 0.5).astype(int).ravel()
    assert predictions.tolist() == [0, 1, 1, 0]
    assert float(loss) < 0.05


def test_same_seed_gives_bit_identical_training():
    def run():
        baro.utils.set_random_seed(3)
        w = baro.Variable(baro.random.normal((2, 2)))
        x = baro.random.uniform((4, 2))
        for _ in range(5):
            with baro.GradientTape() as tape:
                loss = baro.reduce_sum(baro.nn.dropout(x @ w, 0.5) ** 2)
            w.assign_sub(0.1 * tape.gradient(loss, w))
        return w.numpy()

    assert np.array_equal(run(), run())
