"""The Keras 3 half of the interop tests, run in a subprocess (KERAS_BACKEND=torch).

    python keras_side.py WORKDIR

1. loads every `baro_<name>.keras` and `k2_<name>.h5` in WORKDIR with
   `keras.saving.load_model`, stores its predictions in `keras_reads.npz` and,
   for compiled ones, the optimizer and learning rate in `compiled.json`;
2. builds the zoo with Keras, saves `keras_<name>.keras`, the Keras predictions
   in `keras_wrote.npz` and each model's `model.layers` order in `orders.json`.
3. optimizer state: loads every `trained_<name>.keras` (baro trained it one
   epoch) and stores `optimizer.variables` in `optimizer_reads.npz`; trains the
   Keras-built model one epoch on the same targets, saves `ktrained_<name>.keras`
   and stores its optimizer variables in `optimizer_wrote.npz`.
Failures are recorded per file in `errors.json` instead of stopping the run.
"""

import json
import sys
import traceback
from pathlib import Path

import numpy as np


def _predictions(model, name, zoo) -> list:
    return zoo.as_list(model.predict(zoo.feed(name), verbose=0))


def main(workdir: Path) -> None:
    import keras

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import keras_zoo as zoo

    errors, reads, wrote, orders, compiled = {}, {}, {}, {}, {}
    for path in sorted(workdir.glob("baro_*.keras")) + sorted(workdir.glob("k2_*.h5")):
        stem = path.stem
        name = stem.split("_", 1)[1]
        try:
            model = keras.saving.load_model(path)
            if model.compiled:
                compiled[stem] = [type(model.optimizer).__name__,
                                  float(model.optimizer.learning_rate)]
            for i, y in enumerate(_predictions(model, name, zoo)):
                reads[f"{stem}/{i}"] = y
        except Exception:
            errors[stem] = traceback.format_exc()
    for name, model in zoo.build(keras).items():
        try:
            model.save(workdir / f"keras_{name}.keras")
            for i, y in enumerate(_predictions(model, name, zoo)):
                wrote[f"{name}/{i}"] = y
            orders[name] = [layer.name for layer in model.layers]
        except Exception:
            errors[f"keras_{name}"] = traceback.format_exc()
    opt_reads, opt_wrote = {}, {}
    for path in sorted(workdir.glob("trained_*.keras")):
        name = path.stem.split("_", 1)[1]
        try:
            model = keras.saving.load_model(path)
            for i, v in enumerate(model.optimizer.variables):
                opt_reads[f"{name}/{i}"] = np.asarray(v.numpy())
            keras_model = zoo.build(keras, [name])[name]
            keras_model.fit(zoo.feed(name), zoo.targets(name), epochs=1,
                            batch_size=4, shuffle=False, verbose=0)
            keras_model.save(workdir / f"ktrained_{name}.keras")
            for i, v in enumerate(keras_model.optimizer.variables):
                opt_wrote[f"{name}/{i}"] = np.asarray(v.numpy())
        except Exception:
            errors[f"trained_{name}"] = traceback.format_exc()
    np.savez(workdir / "optimizer_reads.npz", **opt_reads)
    np.savez(workdir / "optimizer_wrote.npz", **opt_wrote)
    np.savez(workdir / "keras_reads.npz", **reads)
    np.savez(workdir / "keras_wrote.npz", **wrote)
    (workdir / "errors.json").write_text(json.dumps(errors, indent=1))
    (workdir / "orders.json").write_text(json.dumps(orders))
    (workdir / "compiled.json").write_text(json.dumps(compiled))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
