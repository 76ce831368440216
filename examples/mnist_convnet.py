"""The keras.io "simple MNIST convnet", with only the import changed.

Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Flatten -> Dropout(0.5) ->
Dense(10, softmax), trained on 8,000 images of the MNIST test set and evaluated on
the other 2,000 (the workplace has the test set only; see examples/_data.py).

    python examples/mnist_convnet.py           # 12 epochs, asserts >= 97%
    python examples/mnist_convnet.py --quick   # 4,000 images, 3 epochs, >= 85%
"""

import sys

from _data import mnist_folder, mnist_split

import baro
from baro.keras import Input, Sequential, layers


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
    x_train, x_test = x_train[..., None], x_test[..., None]
    model = Sequential([
        Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    if not quick:
        model.summary()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=3 if quick else 12,
              validation_split=0.1, verbose=0 if quick else 1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}  test accuracy {accuracy:.4f} on {len(x_test)} "
          "held-back images")
    target = 0.85 if quick else 0.97
    if accuracy < target:
        raise SystemExit(f"accuracy {accuracy:.4f} below the target {target}")
    return accuracy


if __name__ == "__main__":
    main(sys.argv[1:])
