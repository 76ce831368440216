"""matplotlib, loaded on first use and headless-safe, and atomic figure saving.

Every `baro.plot` function builds a figure with `subplots`, hands it to
`finish`, and returns it. `finish` saves it if asked, then either shows it
(`show=True`) or closes it in pyplot: closed figures do not pile up in loops or
on servers, and in Jupyter the returned Figure still displays itself once.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from baro.utils.file_utils import default_permissions

INSTALL_HINT = "pip install 'baro[plot]'"


def _has_display() -> bool:
    """Whether an interactive backend could open a window here."""
    if os.environ.get("MPLBACKEND"):  # the user (or Jupyter) chose a backend
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def pyplot():
    """`matplotlib.pyplot`, with the Agg backend forced when there is no display.

    Raises:
        ImportError: If matplotlib is not installed, saying how to install it.
    """
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            f"baro.plot draws with matplotlib, which is not installed: "
            f"{INSTALL_HINT} (or pip install matplotlib).") from error
    if "matplotlib.pyplot" not in sys.modules and not _has_display():
        # Before pyplot's first import: a GUI backend on a headless machine
        # would fail (or hang) when the first figure opens.
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def subplots(rows: int = 1, cols: int = 1, figsize=None, **kwargs):
    """`plt.subplots(..., squeeze=False)`: (figure, 2-D array of axes)."""
    return pyplot().subplots(rows, cols, figsize=figsize, squeeze=False, **kwargs)


def save_figure(fig, path, dpi: int = 100) -> Path:
    """Writes `fig` to `path` atomically (temp file in the folder + os.replace).

    The format follows the suffix (".png" if there is none); a missing parent
    folder is created.

    Raises:
        ValueError: If matplotlib cannot write the suffix's format.
    """
    path = Path(path).expanduser()
    fmt = path.suffix[1:].lower() or "png"
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(
            f"Cannot save a figure as {str(path)!r}: matplotlib writes "
            f"{sorted(supported)}; use a .png path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                    suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            fig.savefig(file, format=fmt, dpi=dpi, bbox_inches="tight")
        # mkstemp makes the file private (0600); give it the usual permissions.
        default_permissions(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path



def finish(fig, path=None, show: bool = False):
    """Saves `fig` to `path` (if given), shows or closes it, and returns it."""
    if path is not None:
        save_figure(fig, path)
    plt = pyplot()
    if show:
        plt.show()
    else:
        plt.close(fig)
    return fig


def shorten(text: str, width: int) -> str:
    """`text`, cut to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"
