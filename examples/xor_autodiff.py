"""XOR with nothing but baro Tensors, autodiff and a hand-written SGD loop.

A 2-8-1 network (tanh hidden layer, sigmoid output) trained on the four XOR
points by plain gradient descent on the binary cross-entropy. Run it:

    python examples/xor_autodiff.py          # prints the loss and predictions
    python examples/xor_autodiff.py --quick  # fewer prints; asserts 4/4 correct
"""

import sys

import numpy as np

import baro


def train(steps: int = 2000, learning_rate: float = 0.5, seed: int = 0):
    baro.utils.set_random_seed(seed)
    x = baro.constant([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = baro.constant([[0.0], [1.0], [1.0], [0.0]])
    w1 = baro.Variable(baro.random.normal((2, 8), stddev=1.0), name="w1")
    b1 = baro.Variable(baro.zeros((8,)), name="b1")
    w2 = baro.Variable(baro.random.normal((8, 1), stddev=1.0), name="w2")
    b2 = baro.Variable(baro.zeros((1,)), name="b2")
    params = [w1, b1, w2, b2]
    history = []
    for _ in range(steps):
        hidden = baro.tanh(x @ w1 + b1)
        logits = hidden @ w2 + b2
        loss = baro.reduce_mean(baro.nn.sigmoid_cross_entropy_with_logits(y, logits))
        for p in params:
            p.zero_grad()
        loss.backward()
        with baro.no_grad():
            for p in params:
                p.assign_sub(learning_rate * p.grad)
        history.append(float(loss))
    probabilities = baro.sigmoid(baro.tanh(x @ w1 + b1) @ w2 + b2)
    return history, probabilities.numpy()


def main(quick: bool) -> None:
    history, probabilities = train()
    predictions = (probabilities > 0.5).astype(int).ravel()
    correct = int((predictions == np.array([0, 1, 1, 0])).sum())
    if not quick:
        for step in range(0, len(history), 400):
            print(f"step {step:5d}  loss {history[step]:.4f}")
    print(f"final loss {history[-1]:.4f}; predictions {predictions.tolist()}; "
          f"{correct}/4 correct")
    if correct != 4:
        raise SystemExit("XOR was not learned")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
