"""The house style is checked, not hoped for: ruff over the package and tests."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the test extras)")
    command = [sys.executable, "-m", "ruff", "check", "baro", "tests", "examples",
               "benchmarks"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_adds_no_heavy_modules():
    code = "import sys, baro; print(','.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    loaded = set(out.strip().split(","))
    for heavy in ("scipy", "torch", "matplotlib", "pandas", "cupy"):
        assert heavy not in loaded
