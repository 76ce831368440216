"""Reading pickled dataset files without running code from them.

Two dataset formats are pickles: the CIFAR python batches (dicts of a uint8
array, label lists and file names) and the ragged sequences of Keras's
`imdb.npz` / `reuters.npz` (object arrays of lists, stored in the `.npy` members
as a pickle). `pickle.load` would call any global such a file names, so a
tampered file could run `os.system`. `RestrictedUnpickler` resolves only the
handful of globals that rebuild NumPy arrays and scalars; lists, dicts, ints,
strings and bytes need no globals at all. Everything else is refused.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from typing import Any

import numpy as np


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    # Python 3 writes `bytes` in protocol 2 as `_codecs.encode(text, "latin1")`;
    # only that one encoding is honoured, so no other codec can be looked up.
    if encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(
            f"Refusing _codecs.encode with encoding {encoding!r} in a dataset "
            "file; only 'latin1' is allowed.")
    return text.encode("latin1")


def _allowed_globals() -> dict[tuple[str, str], Any]:
    sample = np.zeros(1)
    reconstruct = sample.__reduce__()[0]  # multiarray._reconstruct
    frombuffer = sample.__reduce_ex__(5)[0]  # numeric._frombuffer (protocol 5)
    scalar = np.float64(0).__reduce__()[0]  # multiarray.scalar
    allowed = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
               ("_codecs", "encode"): _latin1_encode}
    # NumPy 2 moved `numpy.core` to `numpy._core`; files carry either spelling.
    for core in ("numpy.core", "numpy._core"):
        allowed[(f"{core}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{core}.multiarray", "scalar")] = scalar
        allowed[(f"{core}.numeric", "_frombuffer")] = frombuffer
    return allowed


_ALLOWED = _allowed_globals()


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only NumPy's array-rebuilding globals.

    Allowed: `numpy.ndarray`, `numpy.dtype`, `multiarray._reconstruct`,
    `multiarray.scalar`, `numeric._frombuffer` (under `numpy.core` and
    `numpy._core`) and `_codecs.encode` with the latin1 encoding. Builtin
    containers, numbers, strings and bytes are opcodes and need nothing else.

    Raises:
        pickle.UnpicklingError: On any other global (`os.system`,
            `builtins.eval`, `subprocess.Popen`, ...), naming it.

    Example:
        >>> import pickle
        >>> data = pickle.dumps({"labels": [1, 2], "x": np.arange(3)})
        >>> restricted_loads(data)["x"].tolist()
        [0, 1, 2]
    """

    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(
                f"Refusing to load the global {module}.{name} from a dataset "
                "file: only NumPy arrays, lists, dicts, numbers and strings are "
                "allowed. The file may be corrupted or malicious.")
        return allowed


def restricted_loads(data: bytes, encoding: str = "latin1") -> Any:
    """Unpickles `data` with `RestrictedUnpickler`.

    Args:
        data: The pickle bytes.
        encoding: How Python 2 `str` objects are decoded (`"bytes"` keeps them
            as bytes, as the CIFAR batches need; default `"latin1"`).

    Returns:
        The unpickled object.

    Raises:
        pickle.UnpicklingError: If the data names a global outside the allowed
            set, or is not a valid pickle.
    """
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def read_npy(fp) -> np.ndarray:
    """Reads one `.npy` stream; object arrays go through `RestrictedUnpickler`.

    Args:
        fp: A binary file object positioned at the start of the `.npy` data.

    Returns:
        The array.

    Raises:
        ValueError: If the stream is not a `.npy` array or the pickle does not
            hold an array of the declared shape.
        pickle.UnpicklingError: If an object array names a forbidden global.
    """
    fmt = np.lib.format
    version = fmt.read_magic(fp)
    if version == (1, 0):
        shape, fortran_order, dtype = fmt.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        # 3.0 differs from 2.0 only in allowing UTF-8 in the header text.
        shape, fortran_order, dtype = fmt.read_array_header_2_0(fp)
    else:
        raise ValueError(f"Unsupported .npy format version {version}.")
    if not dtype.hasobject:
        fp.seek(0)
        return fmt.read_array(fp, allow_pickle=False)
    array = RestrictedUnpickler(fp, encoding="latin1").load()
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"The pickled object array does not match its header "
                         f"(expected an array of shape {tuple(shape)}).")
    return array


def load_npz(path) -> dict[str, np.ndarray]:
    """Loads every array of an `.npz` archive, never running code from it.

    A safe stand-in for `np.load(path, allow_pickle=True)`: numeric members are
    read with pickling disabled, object members (ragged sequences) through
    `RestrictedUnpickler`.

    Args:
        path: Path of the `.npz` file.

    Returns:
        A dict from member name (without `.npy`) to array.

    Raises:
        ValueError: If the file is not a zip archive of `.npy` members.
        pickle.UnpicklingError: If a member names a forbidden global.

    Example:
        >>> import tempfile, os
        >>> ragged = np.empty(2, dtype=object)
        >>> ragged[0], ragged[1] = [1, 2, 3], [4]
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "seq.npz")
        ...     np.savez(path, x=ragged, y=np.array([0, 1]))
        ...     arrays = load_npz(path)
        >>> arrays["x"][0], arrays["y"].tolist()
        ([1, 2, 3], [0, 1])
    """
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not an .npz file (not a zip archive).")
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.endswith(".npy"):
                with archive.open(info) as member:
                    data = io.BytesIO(member.read())
                arrays[info.filename[:-4]] = read_npy(data)
    return arrays
