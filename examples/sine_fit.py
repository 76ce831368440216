"""Regression with an MLP: learn a noisy sine curve from 200 points.

    python examples/sine_fit.py           # asserts test error near the noise level
    python examples/sine_fit.py --quick
"""

import sys

import baro
from baro.datasets import make_sine
from baro.keras import Sequential, layers
from baro.keras.optimizers import Adam


def main(argv: list[str]) -> float:
    quick = "--quick" in argv
    baro.utils.set_random_seed(0)
    x_train, y_train = make_sine(200, noise=0.1, seed=0)
    x_test, y_test = make_sine(200, noise=0.0, seed=1)  # the clean curve
    model = Sequential([layers.Dense(32, activation="tanh", input_dim=1),
                        layers.Dense(32, activation="tanh"),
                        layers.Dense(1)])
    model.compile(Adam(0.01), "mse")
    model.fit(x_train, y_train, epochs=100 if quick else 400, batch_size=32,
              verbose=0)
    mse = model.evaluate(x_test, y_test, verbose=0)
    print(f"test MSE against the clean sine: {mse:.4f} (noise variance 0.01)")
    bound = 0.05 if quick else 0.01
    if mse > bound:
        raise SystemExit(f"test MSE {mse:.4f} above {bound}")
    return mse


if __name__ == "__main__":
    main(sys.argv[1:])
