"""MNIST with a Functional-API MLP (the course's Day-2 model), loss curves and a
robustness check: how much accuracy is left when the digits are rotated or shifted?

Trained on 8,000 images of the MNIST test set, evaluated on the other 2,000.

    python examples/mnist_mlp.py           # asserts >= 95%; writes mnist_mlp_*.png
    python examples/mnist_mlp.py --quick   # 4,000 images, 3 epochs, >= 88%
"""

import sys

from _data import mnist_folder, mnist_split

import baro
from baro.keras import Input, Model, layers
from baro.keras.optimizers import Adam
from baro.keras.utils import to_categorical


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
    x_train = x_train.reshape(-1, 784)  # each 28x28 image becomes 784 numbers
    x_test = x_test.reshape(-1, 784)
    y_train_onehot = to_categorical(y_train, 10)
    y_test_onehot = to_categorical(y_test, 10)

    input_layer = Input(shape=(784,))
    x = layers.Dense(512, activation="relu")(input_layer)
    x = layers.Dense(512, activation="relu")(x)
    out_layer = layers.Dense(10, activation="softmax")(x)
    model = Model(inputs=[input_layer], outputs=[out_layer])
    model.compile(loss=baro.keras.losses.categorical_crossentropy,
                  optimizer=Adam(learning_rate=0.001),
                  metrics=[baro.keras.metrics.categorical_accuracy])
    history = model.fit(x_train, y_train_onehot, validation_split=0.2,
                        epochs=3 if quick else 20, batch_size=100,
                        verbose=0 if quick else 2)
    loss, accuracy = model.evaluate(x_test, y_test_onehot, verbose=0)
    print(f"test accuracy {accuracy:.4f} (loss {loss:.4f})")
    report = baro.evaluate_robustness(model, x_test, y_test,
                                      rotations=(-20, -10, 0, 10, 20),
                                      shifts=(-4, -2, 0, 2, 4))
    print(report)
    if not quick:
        try:
            baro.plot.history(history, path="mnist_mlp_history.png")
            report.plot(path="mnist_mlp_robustness.png")
            print("wrote mnist_mlp_history.png and mnist_mlp_robustness.png")
        except ImportError:
            print("pip install 'baro[plot]' to draw the curves")
    target = 0.88 if quick else 0.95
    if accuracy < target:
        raise SystemExit(f"accuracy {accuracy:.4f} below the target {target}")
    return accuracy


if __name__ == "__main__":
    main(sys.argv[1:])
