"""An LSTM reads an MNIST digit row by row (28 timesteps of 28 pixels).

Trained on 8,000 images of the MNIST test set, evaluated on the other 2,000.

    python examples/mnist_lstm.py           # asserts >= 90% on the held-back images
    python examples/mnist_lstm.py --quick   # 4,000 images, 3 epochs, >= 75%
"""

import sys

from _data import mnist_folder, mnist_split

import baro
from baro.keras import Input, Sequential, layers
from baro.keras.optimizers import Adam


def main(argv: list[str]) -> float:
    quick = "--quick" in argv
    folder = mnist_folder(argv)
    if folder is None:
        raise SystemExit("MNIST files not found: pass --data DIR holding "
                         "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.")
    baro.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = mnist_split(folder)
    if quick:
        x_train, y_train = x_train[:4000], y_train[:4000]
    model = Sequential([
        Input(shape=(28, 28)),  # 28 timesteps (rows) x 28 features (pixels)
        layers.LSTM(128),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(Adam(2e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=3 if quick else 10,
              validation_split=0.1, verbose=0 if quick else 1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}  test accuracy {accuracy:.4f}")
    target = 0.75 if quick else 0.90
    if accuracy < target:
        raise SystemExit(f"accuracy {accuracy:.4f} below the target {target}")
    return accuracy


if __name__ == "__main__":
    main(sys.argv[1:])
