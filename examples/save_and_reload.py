"""Save a trained model to one file, load it back, get identical predictions.

The file is a zip of the architecture (JSON) and the weights (safetensors): no
pickle, and loading never runs code from the file.

    python examples/save_and_reload.py [--quick]
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

import baro
from baro.keras import Input, Model, layers, models


def main(argv: list[str]) -> float:
    baro.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, 4)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("int64")  # a non-linear rule
    inputs = Input(shape=(4,))
    hidden = layers.Dense(32, activation="relu")(inputs)
    outputs = layers.Dense(2, activation="softmax")(hidden)
    model = Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=5 if "--quick" in argv else 40, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.baro"
        model.save(path)
        restored = models.load_model(path)
        weights = Path(folder) / "model.weights.safetensors"
        model.save_weights(weights)
        twin = Model.from_config(model.get_config())
        twin.load_weights(weights)
        size = path.stat().st_size
    same = np.array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))
    twin_same = np.array_equal(model.predict(x, verbose=0), twin.predict(x, verbose=0))
    accuracy = restored.evaluate(x, y, verbose=0)[1]
    print(f"saved {size} bytes; reloaded predictions identical: {same}; "
          f"weights-only copy identical: {twin_same}; accuracy {accuracy:.3f}")
    if not (same and twin_same):
        raise SystemExit("a reloaded model predicted differently")
    return accuracy


if __name__ == "__main__":
    main(sys.argv[1:])
