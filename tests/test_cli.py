"""The `baro` command: quickstart (offline, embedded digits) and info."""

import subprocess
import sys

from baro import cli


def test_info_reports_versions_and_blas(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    for key in ("baro", "python", "numpy", "backend", "floatx", "blas"):
        assert key in out


def test_python_dash_m_baro_runs():
    result = subprocess.run([sys.executable, "-m", "baro", "info"],
                            capture_output=True, text=True, check=True)
    assert "floatx" in result.stdout


def test_quickstart_trains_both_models_and_writes_its_outputs(tmp_path, capsys):
    results = cli.quickstart(tmp_path / "out", epochs=4, verbose=0)
    out = capsys.readouterr().out
    for expected in ("x_train (1437, 8, 8)", 'Model: "mlp"', 'Model: "cnn"',
                     "test accuracy", "Robustness on 360 images", "rotation"):
        assert expected in out
    assert results["mlp"]["accuracy"] > 0.7
    assert results["cnn"]["accuracy"] > 0.5
    written = {p.rsplit("/", 1)[-1] for p in results["files"]}
    assert {"mlp.baro", "cnn.baro"} <= written
    if _has_matplotlib():
        assert {"mlp_history.png", "cnn_history.png", "cnn_mistakes.png",
                "mlp_robustness.png", "cnn_robustness.png"} <= written
        for name in written:
            if name.endswith(".png"):
                data = (tmp_path / "out" / name).read_bytes()
                assert data[:8] == b"\x89PNG\r\n\x1a\n"


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True
