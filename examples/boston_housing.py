"""Boston housing prices: regression on 13 features, reported as test MAE.

Data: `--data FILE` (the CSV or Keras's .npz), `$BARO_BOSTON`, the workplace copy,
or Keras's download (cached in ~/.baro/datasets). Split as Keras does
(test_split=0.2, seed=113): 404 training and 102 test houses.

    python examples/boston_housing.py           # asserts test MAE < $3,500
    python examples/boston_housing.py --quick   # fewer epochs, MAE < $6,000
"""

import os
import sys
from pathlib import Path

import baro
from baro.datasets import boston_housing
from baro.keras import Sequential, layers

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "boston_housing"


def data_path(argv: list[str]):
    if "--data" in argv:
        return argv[argv.index("--data") + 1]
    for candidate in (os.environ.get("BARO_BOSTON"), SHARED / "BostonHousing.csv"):
        if candidate and Path(candidate).exists():
            return str(candidate)
    return "boston_housing.npz"  # Keras's file, downloaded on first use


def main(argv: list[str]) -> float:
    quick = "--quick" in argv
    baro.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(data_path(argv))
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)  # training statistics only
    x_train = (x_train - mean) / std
    x_test = (x_test - mean) / std
    model = Sequential([layers.Dense(64, activation="relu", input_dim=13),
                        layers.Dense(64, activation="relu"),
                        layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    model.fit(x_train, y_train, epochs=30 if quick else 120, batch_size=16,
              verbose=0)
    mse, mae = model.evaluate(x_test, y_test, verbose=0)
    print(f"test MAE ${mae * 1000:,.0f} (MSE {mse:.2f}) on {len(x_test)} houses")
    bound = 6.0 if quick else 3.5
    if mae > bound:
        raise SystemExit(f"test MAE {mae:.2f} above {bound}")
    return mae


if __name__ == "__main__":
    main(sys.argv[1:])
