"""The CIFAR file formats, shared by `cifar10` and `cifar100`.

Each archive comes in two versions from https://www.cs.toronto.edu/~kriz/cifar.html:
- python (`cifar-10-python.tar.gz`): each batch is a pickled dict with `data`
  (uint8 (n, 3072): 1024 red, 1024 green, 1024 blue values, row-major 32x32)
  and label lists. It is read with `RestrictedUnpickler`, so a tampered batch
  cannot run code.
- binary (`cifar-10-binary.tar.gz`): records of label byte(s) followed by the
  3072 pixel bytes in the same order; no pickle at all.

Either may be given as the tarball or as the extracted folder.
"""

from __future__ import annotations

import posixpath
import tarfile
from pathlib import Path

import numpy as np

from baro.datasets.safe_pickle import restricted_loads

PIXELS = 3 * 32 * 32


def read_files(source, names: list[str]) -> dict[str, bytes]:
    """The bytes of the files called `names` (matched by base name) in a
    tarball, or in a folder or its direct subfolders. Missing names are absent.

    Raises:
        ValueError: If `source` is a file but not a tar archive.
    """
    source = Path(source)
    found: dict[str, bytes] = {}
    if source.is_dir():
        for name in names:
            for candidate in (source / name, *sorted(source.glob(f"*/{name}"))):
                if candidate.is_file():
                    found[name] = candidate.read_bytes()
                    break
        return found
    if not tarfile.is_tarfile(source):
        raise ValueError(f"{source} is neither a folder nor a tar archive; pass "
                         "the CIFAR tarball (python or binary) or its folder.")
    with tarfile.open(source) as tar:
        for member in tar:
            name = posixpath.basename(member.name)
            if member.isfile() and name in names and name not in found:
                found[name] = tar.extractfile(member).read()
    return found


def parse_python_batch(data: bytes, label_key: str, where: str):
    """Images (n, 3, 32, 32) uint8 and labels (n,) of one pickled batch.

    Raises:
        pickle.UnpicklingError: If the pickle names a forbidden global.
        ValueError: If the dict lacks `data` or `label_key`, or has bad shapes.
    """
    batch = restricted_loads(data, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{where}: expected a pickled dict, found "
                         f"{type(batch).__name__}.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v
             for k, v in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise ValueError(f"{where}: expected the keys 'data' and {label_key!r}; "
                         f"found {sorted(batch)}.")
    images = np.asarray(batch["data"])
    labels = np.asarray(batch[label_key])
    if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != PIXELS:
        raise ValueError(f"{where}: 'data' must be uint8 of shape (n, {PIXELS}); "
                         f"found {images.dtype} {images.shape}.")
    if labels.shape != (len(images),):
        raise ValueError(f"{where}: {len(images)} images but labels of shape "
                         f"{labels.shape}.")
    return images.reshape(-1, 3, 32, 32), labels


def parse_binary_batch(data: bytes, label_bytes: int, label_index: int,
                       where: str):
    """Images (n, 3, 32, 32) uint8 and labels (n,) uint8 of one binary batch.

    Args:
        data: The file's bytes: records of `label_bytes` label bytes then the
            3072 pixels.
        label_bytes: 1 for CIFAR-10; 2 for CIFAR-100 (coarse, then fine).
        label_index: Which label byte to return.
        where: The file, for error messages.

    Raises:
        ValueError: If the size is not a whole number of records.
    """
    record = label_bytes + PIXELS
    if len(data) == 0 or len(data) % record:
        raise ValueError(f"{where}: {len(data)} bytes is not a whole number of "
                         f"{record}-byte CIFAR records (truncated file?).")
    rows = np.frombuffer(data, np.uint8).reshape(-1, record)
    return rows[:, label_bytes:].reshape(-1, 3, 32, 32), rows[:, label_index].copy()


def load_splits(source, python: tuple[list[str], list[str]],
                binary: tuple[list[str], list[str]], label_key: str,
                label_bytes: int, label_index: int, dataset: str):
    """`((x_train, y_train), (x_test, y_test))` with x channels-first, from the
    python files if all are there, else the binary ones.

    Raises:
        FileNotFoundError: Naming the files expected in either format.
    """
    wanted = [*python[0], *python[1], *binary[0], *binary[1]]
    files = read_files(source, wanted)
    if all(name in files for name in python[0] + python[1]):
        def parse(name):
            return parse_python_batch(files[name], label_key, f"{source}:{name}")
        names = python
    elif all(name in files for name in binary[0] + binary[1]):
        def parse(name):
            return parse_binary_batch(files[name], label_bytes, label_index,
                                      f"{source}:{name}")
        names = binary
    else:
        raise FileNotFoundError(
            f"{source} holds neither the {dataset} python batches "
            f"{python[0] + python[1]} nor the binary ones "
            f"{binary[0] + binary[1]}. Pass the python or binary tarball from "
            "https://www.cs.toronto.edu/~kriz/cifar.html, or its extracted folder.")
    splits = []
    for split_names in names:
        parts = [parse(name) for name in split_names]
        splits.append((np.concatenate([p[0] for p in parts]),
                       np.concatenate([p[1] for p in parts])))
    return tuple(splits)


def channels_last(x: np.ndarray) -> np.ndarray:
    """(n, 3, 32, 32) -> (n, 32, 32, 3), as Keras's default image layout."""
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
