"""baro's NumPy safetensors reader/writer against the reference `safetensors`
package (where installed) and against its own round trip."""

import numpy as np
import pytest

from baro.saving import safetensors

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64", "bool"]


def arrays():
    rng = np.random.default_rng(0)
    out = {f"t_{d}": (rng.normal(size=(3, 2)) * 10).astype(d) for d in DTYPES}
    out["scalar"] = np.array(1.5, "float32")
    out["empty"] = np.zeros((0, 3), "float32")
    return out


def test_round_trip_every_dtype():
    data = safetensors.dumps(arrays(), {"note": "hi"})
    loaded, metadata = safetensors.loads(data)
    assert metadata == {"note": "hi"}
    for name, value in arrays().items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name], value)
    assert len(data[8:8 + int.from_bytes(data[:8], "little")]) % 8 == 0  # aligned


def test_interoperates_with_the_reference_package():
    reference = pytest.importorskip("safetensors.numpy", exc_type=ImportError)
    theirs = reference.load(safetensors.dumps(arrays()))
    ours, _ = safetensors.loads(reference.save(arrays(), metadata={"k": "v"}))
    for name, value in arrays().items():
        np.testing.assert_array_equal(theirs[name], value)
        np.testing.assert_array_equal(ours[name], value)
        assert ours[name].dtype == value.dtype
