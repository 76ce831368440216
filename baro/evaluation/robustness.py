"""`evaluate_robustness`: accuracy of an image classifier under rotation and shift.

The course exercise: an MLP that scores 97% on centred MNIST digits drops
sharply when the digits move by a few pixels, while a CNN trained with
augmentation keeps most of its accuracy. The images are transformed with
`baro.image.rotate` / `baro.image.shift` (bilinear, zeros outside), then the
model sees them in the layout it was given.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from baro.evaluation.labels import (
    as_numpy,
    predict_outputs,
    predicted_labels,
    true_labels,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Transform names in the table, with the unit of their amounts.
_UNITS = {"rotation": "deg", "shift_x": "px", "shift_y": "px"}


class RobustnessReport:
    """What `evaluate_robustness` measured.

    Attributes:
        table: Rows `(transform, amount, accuracy)`; transform is "rotation"
            (degrees, counter-clockwise), "shift_x" (pixels, positive moves
            right) or "shift_y" (pixels, positive moves down).
        baseline: Accuracy on the untransformed images.
        num_samples: How many images were evaluated.
        figure: The matplotlib Figure if one was drawn, else None.
    """

    def __init__(self, table: list[tuple[str, float, float]], baseline: float,
                 num_samples: int) -> None:
        self.table = list(table)
        self.baseline = float(baseline)
        self.num_samples = int(num_samples)
        self.figure = None

    def rows(self, transform: str) -> list[tuple[float, float]]:
        """`(amount, accuracy)` pairs of one transform, in the order measured."""
        return [(amount, acc) for name, amount, acc in self.table if name == transform]

    def to_dict(self) -> dict:
        """`{"baseline": acc, "num_samples": n, "rotation": {amount: acc}, ...}`."""
        result: dict = {"baseline": self.baseline, "num_samples": self.num_samples}
        for name in _UNITS:
            rows = self.rows(name)
            if rows:
                result[name] = dict(rows)
        return result

    def plot(self, path=None, show: bool = False) -> Figure:
        """Accuracy vs rotation angle and vs shift (`baro.plot.robustness`)."""
        from baro.plot.robustness import robustness

        self.figure = robustness(self, path=path, show=show)
        return self.figure

    def __str__(self) -> str:
        header = ("transform", "amount", "accuracy")
        body = [(name, f"{amount:g} {_UNITS.get(name, '')}".rstrip(), f"{acc:.4f}")
                for name, amount, acc in self.table]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(3)]
        lines = [f"Robustness on {self.num_samples:,} images "
                 f"(untransformed accuracy {self.baseline:.4f})",
                 f"{header[0]:<{widths[0]}}  {header[1]:>{widths[1]}}  "
                 f"{header[2]:>{widths[2]}}",
                 "  ".join("-" * w for w in widths)]
        lines += [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}"
                  for a, b, c in body]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<RobustnessReport baseline={self.baseline:.4f}, "
                f"{len(self.table)} rows, {self.num_samples} images>")


def _image_batch(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) images from (N, H, W), (N, H, W, C) or flat square (N, H*W)."""
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise ValueError(
                f"evaluate_robustness: flat inputs must be square images (e.g. 784 "
                f"= 28x28), received {x.shape[1]} values per sample. Pass images "
                "of shape (N, H, W) or (N, H, W, C).")
        return x.reshape(len(x), side, side, 1)
    if x.ndim == 3:
        return x[..., None]
    if x.ndim == 4:
        return x
    raise ValueError(
        f"evaluate_robustness: expected images (N, H, W), (N, H, W, C) or flat "
        f"(N, H*W), received shape {x.shape}.")


def _amounts(values, name: str) -> list[float]:
    try:
        amounts = [float(v) for v in values]
    except (TypeError, ValueError):
        raise TypeError(
            f"evaluate_robustness: {name} must be a sequence of numbers, received "
            f"{values!r}.") from None
    if not all(math.isfinite(a) for a in amounts):
        raise ValueError(f"evaluate_robustness: {name} must be finite, received "
                         f"{values!r}.")
    return amounts


def evaluate_robustness(model, x, y, rotations=(-30, -15, 0, 15, 30),
                        shifts=(-4, -2, 0, 2, 4), batch_size: int = 256,
                        plot: bool = False, path=None) -> RobustnessReport:
    """Accuracy of `model` on `x` rotated by each angle and shifted by each amount.

    Each image is rotated about its centre (degrees, counter-clockwise) and,
    separately, shifted horizontally ("shift_x", positive to the right) and
    vertically ("shift_y", positive downwards); uncovered pixels become 0.
    The model is given the transformed images in `x`'s own layout, so a flat
    (N, 784) input reaches an MLP flat again. Predictions are the argmax of
    the outputs, or output > 0.5 for a single sigmoid unit.

    Args:
        model: A model (anything with `predict`) or a callable from a batch of
            inputs to outputs or labels.
        x: Images (N, H, W), (N, H, W, C) or flat square images (N, H*W).
        y: Integer labels (N,) or one-hot rows (N, C).
        rotations: Angles in degrees. Default (-30, -15, 0, 15, 30).
        shifts: Pixel offsets, used for both directions. Default (-4, ..., 4).
        batch_size: Prediction batch size. Default 256.
        plot: Whether to draw the accuracy curves (needs matplotlib); the
            figure is kept as `report.figure`.
        path: Where to save the figure as a PNG (implies `plot`).

    Returns:
        A `RobustnessReport`; `print(report)` shows the table.

    Raises:
        ValueError: If `x` is not a batch of images or `x` and `y` differ in
            length.

    Example:
        >>> import numpy as np
        >>> from baro.evaluation import evaluate_robustness
        >>> x = np.zeros((4, 8, 8), "float32")
        >>> x[:, 3:5, 3:5] = 1.0  # a lit square in the centre
        >>> def centre_is_lit(images):  # "class 1" if pixel (3, 3) is bright
        ...     return (images[:, 3, 3] > 0.5).astype("int64")
        >>> report = evaluate_robustness(centre_is_lit, x, np.ones(4, "int64"),
        ...                              rotations=(0, 90), shifts=(0, 2))
        >>> print(report)
        Robustness on 4 images (untransformed accuracy 1.0000)
        transform  amount  accuracy
        ---------  ------  --------
        rotation    0 deg    1.0000
        rotation   90 deg    1.0000
        shift_x      0 px    1.0000
        shift_x      2 px    0.0000
        shift_y      0 px    1.0000
        shift_y      2 px    0.0000
    """
    from baro.image import rotate, shift

    x = as_numpy(x)
    labels = true_labels(y, "evaluate_robustness: y")
    if len(x) != len(labels):
        raise ValueError(
            f"evaluate_robustness: x has {len(x)} images but y has {len(labels)} "
            "labels.")
    images = _image_batch(x)
    rotations = _amounts(rotations, "rotations")
    shifts = _amounts(shifts, "shifts")

    def accuracy_on(batch: np.ndarray) -> float:
        outputs = predict_outputs(model, batch.reshape(x.shape), batch_size)
        return float(np.mean(predicted_labels(outputs) == labels)) if len(x) else 0.0

    table = [("rotation", a, accuracy_on(rotate(images, a).numpy()))
             for a in rotations]
    table += [("shift_x", s, accuracy_on(shift(images, s, 0).numpy()))
              for s in shifts]
    table += [("shift_y", s, accuracy_on(shift(images, 0, s).numpy()))
              for s in shifts]
    report = RobustnessReport(table, accuracy_on(images), len(x))
    if plot or path is not None:
        report.plot(path=path)
    return report
