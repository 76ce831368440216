"""`Model.export` finds the ONNX exporter without `import baro.export` (the
provider registered by `baro/__init__.py`), in a fresh interpreter."""

import subprocess
import sys

import pytest

pytest.importorskip("onnx", exc_type=ImportError)
pytest.importorskip("onnxruntime", exc_type=ImportError)

SCRIPT = """
import sys
import numpy as np
from baro.models import Sequential
from baro.layers import Dense, Input
import onnxruntime as ort
assert "baro.export" not in sys.modules
model = Sequential([Input(shape=(3,)), Dense(2, activation="tanh")])
model.export(sys.argv[1])
session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
got = session.run(None, {session.get_inputs()[0].name: x})[0]
np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
print("ok")
"""


def test_model_export_without_importing_baro_export(tmp_path):
    path = tmp_path / "m.onnx"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_unknown_export_format_is_named(tmp_path):
    from baro.layers import Dense, Input
    from baro.models import Sequential

    model = Sequential([Input(shape=(3,)), Dense(2)])
    with pytest.raises(ValueError, match="unknown format 'tf_saved_model'"):
        model.export(tmp_path / "x", format="tf_saved_model")
