"""Fit a degree-4 polynomial to monthly mean temperatures (the TensorFlow-book
exercise): a linear model on the features x, x^2, x^3, x^4 is a polynomial.

    python examples/temperature_polynomial.py           # asserts a near-optimal fit
    python examples/temperature_polynomial.py --quick   # fewer epochs, looser bound
"""

import sys

import numpy as np

import baro
from baro.datasets import load_temperatures
from baro.datasets.embedded import polynomial_features
from baro.keras import Sequential, layers
from baro.keras.optimizers import Adam


def main(argv: list[str]) -> float:
    quick = "--quick" in argv
    baro.utils.set_random_seed(0)
    months, temperatures = load_temperatures()
    x = polynomial_features((months - 6.5) / 5.5, degree=4)  # scaled to [-1, 1]
    y = temperatures.reshape(-1, 1)
    model = Sequential([layers.Dense(1, input_dim=4)])  # y = w . features + b
    model.compile(Adam(0.1), "mse")
    model.fit(x, y, epochs=1500 if quick else 3000, batch_size=12, verbose=0)
    fitted = model.predict(x, verbose=0)
    mse = float(((fitted - y) ** 2).mean())
    # The best any degree-4 polynomial can do: ordinary least squares.
    design = np.hstack([x, np.ones((12, 1), np.float32)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    best = float(((design @ coef - y) ** 2).mean())
    for month, t, f in zip(months, temperatures, fitted[:, 0], strict=True):
        print(f"month {int(month):2d}  observed {t:5.1f}  fitted {f:5.1f}")
    print(f"mean squared error {mse:.3f} (least-squares optimum {best:.3f})")
    bound = best * (3.0 if quick else 1.1) + 0.05
    if mse > bound:
        raise SystemExit(f"the fit is {mse:.3f}, worse than {bound:.3f}")
    return mse


if __name__ == "__main__":
    main(sys.argv[1:])
