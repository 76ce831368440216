"""The restricted unpickler: NumPy arrays, containers and strings load; any
other global (os.system, eval, subprocess) is refused before it can run."""

import os
import pickle

import numpy as np
import pytest

from baro.datasets.safe_pickle import load_npz, read_npy, restricted_loads


class RunsACommand:
    """Pickles as a call to os.system: what a tampered dataset file would hold."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_arrays_and_containers_load_with_every_protocol(protocol):
    value = {b"data": np.arange(12, dtype=np.uint8).reshape(3, 4),
             "labels": [1, 2, 3], "name": b"batch", "scale": np.float64(0.5),
             "nested": ([1.5, None], {"k": True})}
    loaded = restricted_loads(pickle.dumps(value, protocol=protocol),
                              encoding="bytes")
    assert np.array_equal(loaded[b"data"], value[b"data"])
    assert loaded[b"data"].dtype == np.uint8
    assert loaded["labels"] == [1, 2, 3] and loaded["name"] == b"batch"
    assert loaded["scale"] == 0.5 and loaded["nested"] == ([1.5, None], {"k": True})


def test_os_system_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    data = pickle.dumps({b"data": RunsACommand(marker)})
    with pytest.raises(pickle.UnpicklingError, match="system"):
        restricted_loads(data)
    assert not marker.exists()
    # The same bytes through plain pickle would have run the command; the test
    # does not do that, it only shows the bytes name the function.
    assert b"system" in data


@pytest.mark.parametrize("payload", [
    b"cbuiltins\neval\n(V1+1\ntR.",
    b"csubprocess\nPopen\n(Vls\ntR.",
    b"cbuiltins\ngetattr\n(cbuiltins\nobject\nV__class__\ntR.",
    b"c_codecs\nencode\n(Vabc\nVrot13\ntR.",
    b"cnumpy\nload\n(Vx.npy\ntR.",
])
def test_other_dangerous_globals_are_refused(payload):
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        restricted_loads(payload)


def test_npz_with_ragged_object_arrays_loads_without_allow_pickle(tmp_path):
    ragged = np.empty(3, dtype=object)
    ragged[0], ragged[1], ragged[2] = [1, 2, 3], [4], []
    np.savez(tmp_path / "seq.npz", x=ragged, y=np.array([0, 1, 1], np.int64))
    with pytest.raises(ValueError, match="allow_pickle"):
        np.load(tmp_path / "seq.npz")["x"]  # NumPy's safe default refuses it
    arrays = load_npz(tmp_path / "seq.npz")
    assert arrays["x"].dtype == object and arrays["x"].shape == (3,)
    assert [list(v) for v in arrays["x"]] == [[1, 2, 3], [4], []]
    assert arrays["y"].dtype == np.int64


def test_npz_with_a_malicious_object_array_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = RunsACommand(marker)
    np.savez(tmp_path / "evil.npz", x=evil)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        load_npz(tmp_path / "evil.npz")
    assert not marker.exists()


def test_read_npy_checks_the_header_shape(tmp_path):
    path = tmp_path / "a.npy"
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1], [2, 3]
    np.save(path, ragged)
    data = bytearray(path.read_bytes())
    data[: data.index(b"\n") + 1] = data[: data.index(b"\n") + 1].replace(
        b"(2,)", b"(3,)")
    path.write_bytes(bytes(data))
    with open(path, "rb") as f, pytest.raises(ValueError, match="header"):
        read_npy(f)


def test_not_a_zip_is_explained(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"plain text")
    with pytest.raises(ValueError, match="not an .npz"):
        load_npz(tmp_path / "x.npz")
