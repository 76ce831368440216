"""`baro.plot.robustness`: accuracy vs rotation and vs shift."""

from __future__ import annotations

from typing import TYPE_CHECKING

from baro.plot._figure import finish, subplots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from baro.evaluation import RobustnessReport

_PANELS = (("rotation", "rotation (degrees, counter-clockwise)",
            (("rotation", "rotation", "tab:purple"),)),
           ("shift", "shift (pixels)",
            (("shift_x", "horizontal (+ right)", "tab:blue"),
             ("shift_y", "vertical (+ down)", "tab:orange"))))


def robustness(report: RobustnessReport, path=None, show: bool = False) -> Figure:
    """Plots a `RobustnessReport`: one panel for rotation, one for shifts.

    Args:
        report: What `baro.evaluate_robustness` returned.
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure; a dashed line marks the untransformed accuracy.

    Raises:
        ValueError: If the report has no rows.
        ImportError: If matplotlib is not installed.
    """
    panels = [(title, lines) for _key, title, lines in _PANELS
              if any(report.rows(name) for name, _, _ in lines)]
    if not panels:
        raise ValueError("robustness: the report has no rows (no rotations and no "
                         "shifts were evaluated).")
    fig, axes = subplots(1, len(panels), figsize=(5.0 * len(panels), 3.8),
                         layout="constrained")
    for ax, (title, lines) in zip(axes.flat, panels, strict=True):
        for name, label, color in lines:
            rows = sorted(report.rows(name))
            if rows:
                ax.plot([a for a, _ in rows], [acc for _, acc in rows], "o-",
                        color=color, label=label)
        ax.axhline(report.baseline, color="0.4", linestyle="--", linewidth=1,
                   label=f"untransformed ({report.baseline:.3f})")
        ax.set_ylim(0.0, 1.02)
        ax.set_xlabel(title)
        ax.set_ylabel("accuracy")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Accuracy under transformations ({report.num_samples:,} images)")
    return finish(fig, path, show)
