"""matplotlib is optional and loaded headless; figures are saved atomically."""

import os
import stat
import subprocess
import sys

import pytest

WITHOUT_MATPLOTLIB = """
import sys
sys.modules["matplotlib"] = None  # as if it were not installed
import numpy as np
import baro.plot
from baro.evaluation import evaluate_robustness
report = evaluate_robustness(lambda x: np.zeros(len(x), "int64"),
                             np.zeros((2, 4, 4)), [0, 1], rotations=(0,), shifts=())
print(report.baseline)
try:
    baro.plot.history({"loss": [1.0]})
except ImportError as error:
    print(error)
"""


def test_import_works_without_matplotlib_and_calls_say_how_to_install():
    result = subprocess.run([sys.executable, "-c", WITHOUT_MATPLOTLIB],
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "0.5"
    assert "pip install 'baro[plot]'" in lines[1]


HEADLESS = """
import matplotlib, baro.plot
baro.plot.history({"loss": [1.0, 0.5]}, path=r"%s")
print(matplotlib.get_backend())
"""


def test_without_a_display_the_agg_backend_draws(tmp_path, check_png):
    pytest.importorskip("matplotlib", exc_type=ImportError)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    path = tmp_path / "loss.png"
    result = subprocess.run([sys.executable, "-c", HEADLESS % path], env=env,
                            capture_output=True, text=True, check=True)
    if sys.platform.startswith("linux"):
        assert result.stdout.strip().lower() == "agg"
    check_png(path)


@pytest.fixture
def figure():
    pytest.importorskip("matplotlib", exc_type=ImportError)
    from baro.plot._figure import subplots

    fig, axes = subplots(1, 1, figsize=(2, 2))
    axes[0, 0].plot([0, 1], [0, 1])
    return fig


def test_save_is_atomic_creates_the_folder_and_leaves_no_temp(tmp_path, figure,
                                                               check_png):
    from baro.plot._figure import save_figure

    path = save_figure(figure, tmp_path / "new" / "line.png")
    assert path == tmp_path / "new" / "line.png"
    check_png(path)
    assert os.listdir(tmp_path / "new") == ["line.png"]
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & stat.S_IRUSR and mode & stat.S_IWUSR
    if os.name == "posix":
        mask = os.umask(0o022)
        os.umask(mask)
        assert mode == 0o666 & ~mask


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp(tmp_path, figure,
                                                            monkeypatch):
    from baro.plot._figure import save_figure

    path = tmp_path / "line.png"
    path.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save_figure(figure, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["line.png"]


def test_unknown_suffix_is_refused(tmp_path, figure):
    from baro.plot._figure import save_figure

    with pytest.raises(ValueError, match="use a .png path"):
        save_figure(figure, tmp_path / "line.docx")
    save_figure(figure, tmp_path / "line.svg")
    assert (tmp_path / "line.svg").read_text().lstrip().startswith("<?xml")


def test_finish_closes_the_figure_unless_shown(figure):
    import matplotlib.pyplot as plt

    from baro.plot._figure import finish

    assert figure.number in plt.get_fignums()
    assert finish(figure) is figure
    assert figure.number not in plt.get_fignums()
