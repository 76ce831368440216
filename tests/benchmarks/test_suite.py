"""Smoke test of the benchmark suite (`python -m benchmarks`).

Every workload runs at its tiny `--quick` size and the report comes out; nothing
about speed is asserted (speed is measured in benchmarks/, never in tests).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.workloads import NAMES

ROOT = Path(__file__).resolve().parents[2]


def run_suite(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "benchmarks", "--quick", "--max-wait", "0",
               *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_every_workload_runs_and_writes_a_report(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Method, written by hand\n")
    result = run_suite("--peers", "none", "--write", str(path))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    text = path.read_text()
    assert text.startswith("# Method, written by hand\n")
    assert report.MARKER in text
    for name in NAMES:
        assert f"(`{name}`," in text
    assert "error" not in text.lower()
    for row in ("| baro fit | **", "| baro Session | **", "| numpy loop | **",
                "| baro predict | **", "| baro import | **"):
        assert row in text
    assert "## Targets (issue 8)" in text


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="PyTorch is not installed")
def test_pytorch_rows_run():
    result = run_suite("--peers", "torch", "--only",
                       "temperature,xor,mlp128,cnn,lstm,predict")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for row in ("| torch eager | **", "| torch eager NHWC | **",
                "| torch inference_mode | **", "| baro / peer"):
        assert row in result.stdout
    assert "error" not in result.stdout.lower()


def test_write_replaces_only_the_generated_part(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("intro\n")
    report.write(str(path), "first\n")
    report.write(str(path), "second\n")
    assert path.read_text() == f"intro\n\n{report.MARKER}\n\nsecond\n"


def test_unknown_workload_is_refused():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nope"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "unknown workload" in result.stderr


def test_doctor_rows_run_once_the_callback_exists(monkeypatch):
    import baro.callbacks
    from benchmarks.common import Peers, measure
    from benchmarks.workloads import doctor

    class StandInDoctor(baro.callbacks.Callback):
        """Stands in for issue 9's TrainingDoctor, which does not exist yet."""

    monkeypatch.setattr(baro.callbacks, "TrainingDoctor", StandInDoctor,
                        raising=False)
    variants = doctor.make_variants(True, Peers(set()))
    outcomes = measure(variants, 1, 0, log=lambda line: None)
    assert [o.variant.key for o in outcomes] == ["baro fit",
                                                 "baro fit + TrainingDoctor"]
    assert all(o.values and o.error is None for o in outcomes)
