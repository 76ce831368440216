"""`onnx` is an optional extra: baro.export imports without it and says how to
install it when an export is asked for. These tests run without onnx."""

import subprocess
import sys

import pytest

import baro.export
from baro.keras import Input, Sequential, layers


def test_import_does_not_load_onnx():
    code = ("import sys, baro.export; baro.export.supported_layers(); "
            "print('onnx' in sys.modules, 'onnxruntime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_missing_onnx_raises_import_error_with_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now fails
    model = Sequential([Input(shape=(3,)), layers.Dense(2)])
    with pytest.raises(ImportError, match=r"pip install 'baro\[onnx\]'"):
        baro.export.onnx(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_supported_layers_lists_the_converted_classes():
    names = baro.export.supported_layers()
    for name in ("Dense", "Conv2D", "MaxPooling2D", "BatchNormalization", "LSTM",
                 "GRU", "SimpleRNN", "Bidirectional", "Embedding", "Flatten",
                 "Concatenate", "Sequential", "Functional"):
        assert name in names
    assert "Lambda" not in names
