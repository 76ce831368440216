"""`baro.evaluation`: judging a trained classifier beyond one accuracy number.

`evaluate_robustness` measures accuracy under rotation and shift (also
`baro.evaluate_robustness`); `confusion_matrix` counts which classes are
confused with which (`tf.math.confusion_matrix`'s convention: rows are the true
classes). Pure NumPy; only `RobustnessReport.plot` needs matplotlib.
"""

from baro.evaluation.labels import (
    accuracy,
    confusion_matrix,
    predict_outputs,
    predicted_labels,
    true_labels,
)
from baro.evaluation.robustness import RobustnessReport, evaluate_robustness

__all__ = [
    "RobustnessReport", "accuracy", "confusion_matrix", "evaluate_robustness",
    "predict_outputs", "predicted_labels", "true_labels",
]
