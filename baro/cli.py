"""The `baro` command: `baro quickstart` and `baro info`.

`baro quickstart` is a learner's first hour in one command, offline: the embedded
handwritten digits, an MLP and a small CNN trained with the Keras workflow, their
test accuracy, a robustness table under rotation and shifts, and pictures (loss
curves, mistakes) plus the saved model in an output folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


def _section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def info() -> dict:
    """Versions, backend, float dtype and BLAS (what `baro info` prints)."""
    import numpy as np

    import baro

    blas = "unknown"
    try:
        config = np.show_config(mode="dicts")
        deps = config.get("Build Dependencies", {})
        blas_info = deps.get("blas", {})
        blas = f"{blas_info.get('name', '?')} {blas_info.get('version', '')}".strip()
    except (TypeError, AttributeError, ValueError):
        pass
    return {
        "baro": baro.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "backend": baro.backend.backend(),
        "floatx": baro.backend.floatx(),
        "blas": blas,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
    }


def _digits():
    import numpy as np

    from baro.datasets.embedded import load_digits

    (x_train, y_train), (x_test, y_test) = load_digits()
    shape = (-1, 8, 8)
    x_train = np.asarray(x_train, np.float32).reshape(shape) / 16.0
    x_test = np.asarray(x_test, np.float32).reshape(shape) / 16.0
    return (x_train, np.asarray(y_train)), (x_test, np.asarray(y_test))


def _mlp():
    from baro.keras import Input, Model, layers

    inputs = Input(shape=(8, 8), name="digit")
    x = layers.Flatten()(inputs)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return Model(inputs, outputs, name="mlp")


def _cnn():
    from baro.keras import Input, Sequential, layers

    return Sequential([
        Input(shape=(8, 8, 1)),
        layers.RandomRotation(0.05, fill_mode="constant"),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ], name="cnn")


def quickstart(out: str | os.PathLike = "baro-quickstart", epochs: int = 30,
               verbose: int = 1, seed: int = 0) -> dict:
    """Runs the quickstart; returns the test accuracies and written files."""
    import baro
    from baro.keras.optimizers import Adam

    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    baro.utils.set_random_seed(seed)
    _section("1. Data: UCI handwritten digits, 8x8 pixels (embedded, offline)")
    (x_train, y_train), (x_test, y_test) = _digits()
    print(f"x_train {x_train.shape} {x_train.dtype}, y_train {y_train.shape}; "
          f"x_test {x_test.shape}; pixel values scaled to [0, 1]")
    results: dict = {"files": []}
    histories = {}
    for name, build, x_tr, x_te in (("mlp", _mlp, x_train, x_test),
                                    ("cnn", _cnn, x_train[..., None],
                                     x_test[..., None])):
        _section(f"2. Model: {name.upper()}")
        model = build()
        model.summary()
        model.compile(optimizer=Adam(3e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x_tr, y_train, epochs=epochs, batch_size=32,
                            validation_split=0.2, verbose=2 if verbose else 0)
        histories[name] = history
        loss, accuracy = model.evaluate(x_te, y_test, verbose=0)
        print(f"{name}: test accuracy {accuracy:.4f} (loss {loss:.4f}) on "
              f"{len(x_te)} held-out digits")
        results[name] = {"accuracy": accuracy, "model": model, "x_test": x_te}
        path = out / f"{name}.baro"
        model.save(path)
        results["files"].append(str(path))
    _section("3. Robustness: accuracy under rotation and shifts")
    for name in ("mlp", "cnn"):
        report = baro.evaluate_robustness(
            results[name]["model"], results[name]["x_test"], y_test,
            rotations=(-30, -15, 0, 15, 30), shifts=(-2, -1, 0, 1, 2))
        results[name]["robustness"] = report
        print(f"{name.upper()}:\n{report}")
    _section("4. Pictures")
    results["files"] += _pictures(out, histories, results, x_test, y_test)
    _section("Done")
    for path in results["files"]:
        print(f"wrote {path}")
    print(f"quickstart finished in {time.perf_counter() - start:.1f} s; "
          f"outputs in {out.resolve()}")
    return results


def _pictures(out: Path, histories, results, x_test, y_test) -> list[str]:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib is not installed, so no pictures were drawn: "
              "pip install 'baro[plot]'")
        return []
    import baro

    written = []
    for name, history in histories.items():
        path = out / f"{name}_history.png"
        baro.plot.history(history, path=path)
        written.append(str(path))
    path = out / "cnn_mistakes.png"
    baro.plot.mistakes(results["cnn"]["model"], results["cnn"]["x_test"], y_test,
                       path=path)
    written.append(str(path))
    for name in ("mlp", "cnn"):
        path = out / f"{name}_robustness.png"
        results[name]["robustness"].plot(path=path)
        written.append(str(path))
    return written


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `baro` console script and `python -m baro`."""
    parser = argparse.ArgumentParser(prog="baro", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    quick = commands.add_parser("quickstart", help="train on embedded digits, offline")
    quick.add_argument("--out", default="baro-quickstart",
                       help="output folder (default: ./baro-quickstart)")
    quick.add_argument("--epochs", type=int, default=30)
    quick.add_argument("--seed", type=int, default=0)
    commands.add_parser("info", help="versions, backend, float dtype and BLAS")
    args = parser.parse_args(argv)
    if args.command == "info":
        for key, value in info().items():
            print(f"{key:10s} {value}")
        return 0
    quickstart(args.out, epochs=args.epochs, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
