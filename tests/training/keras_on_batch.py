"""The Keras 3 half of test_on_batch.py, run in a subprocess (KERAS_BACKEND=torch).

    python keras_on_batch.py WORKDIR

Reads `inputs.npz` (the batches and baro's initial weights, keyed
`<model>/w<i>`), builds the same two models with Keras, sets those weights and
runs, per batch, `test_on_batch`, `train_on_batch` and
`train_on_batch(return_dict=True)`; writes what Keras returned to
`results.json`.
"""

import json
import sys
from pathlib import Path

import numpy as np


def _models(keras):
    layers = keras.layers
    single = keras.Sequential([keras.Input((4,)),
                               layers.Dense(3, activation="softmax")])
    single.compile(optimizer=keras.optimizers.SGD(0.5),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    inputs = keras.Input((4,), name="a")
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    cls = layers.Dense(3, activation="softmax", name="cls")(hidden)
    reg = layers.Dense(1, name="reg")(hidden)
    multi = keras.Model(inputs, [cls, reg])
    multi.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    return {"single": single, "multi": multi}


def main(workdir: Path) -> None:
    import keras

    data = dict(np.load(workdir / "inputs.npz"))
    results = {}
    for name, model in _models(keras).items():
        count = sum(1 for key in data if key.startswith(f"{name}/w"))
        model.set_weights([data[f"{name}/w{i}"] for i in range(count)])
        runs = []
        for step in range(3):
            x = data[f"x{step}"]
            y = data[f"y{step}"]
            if name == "multi":
                y = [y, data[f"r{step}"]]
            runs.append({"test": model.test_on_batch(x, y),
                         "train": model.train_on_batch(x, y),
                         "train_dict": model.train_on_batch(x, y, return_dict=True)})
        results[name] = runs
    (workdir / "results.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
