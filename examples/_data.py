"""Where the examples find MNIST: `--data DIR`, `$BARO_MNIST`, or the workplace copy
in `../shared/data/mnist` next to the repository (the 10,000-image test set)."""

import os
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def mnist_folder(argv: list[str]) -> Path | None:
    """The folder holding t10k-*.gz, or None when there is none."""
    if "--data" in argv:
        return Path(argv[argv.index("--data") + 1])
    for candidate in (os.environ.get("BARO_MNIST"), SHARED):
        if candidate and (Path(candidate) / "t10k-images-idx3-ubyte.gz").exists():
            return Path(candidate)
    return None


def mnist_split(folder: Path, n_train: int = 8000):
    """The MNIST test set split into 8,000 training and 2,000 held-back images,
    scaled to [0, 1]: ((x_train, y_train), (x_test, y_test))."""
    from baro.datasets.mnist import load_idx_split

    x, y = load_idx_split(folder, "test")
    x = x.astype("float32") / 255.0
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
