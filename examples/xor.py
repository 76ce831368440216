"""XOR with the Keras workflow: the course's first model, import changed to baro.

    python examples/xor.py          # trains, prints predictions, asserts 4/4
    python examples/xor.py --quick  # the same (it takes a second)
"""

import sys

import numpy as np

import baro
from baro.keras import Sequential
from baro.keras.layers import Dense
from baro.keras.optimizers import Adam


def main(argv: list[str]) -> int:
    baro.utils.set_random_seed(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    y = np.array([0, 1, 1, 0], dtype="float32")
    model = Sequential()  # the "basket" the layers go into
    model.add(Dense(8, input_dim=2, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.05),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=300, batch_size=4, verbose=0)
    predictions = (model.predict(x, verbose=0)[:, 0] > 0.5).astype(int)
    correct = int((predictions == y).sum())
    print(f"loss {history.history['loss'][-1]:.4f}; predictions "
          f"{predictions.tolist()}; {correct}/4 correct")
    if correct != 4:
        raise SystemExit("XOR was not learned")
    return correct


if __name__ == "__main__":
    main(sys.argv[1:])
