"""Learning diagnostics: what a training run's numbers say, in plain language.

- `inspect(model, x, y)`: per-layer weight and gradient norms, their ratio,
  activation mean/std, dead ReLU and saturated sigmoid/tanh fractions, from one
  forward and backward pass on a sample; a table (`print(report)`) and a plot.
- `Finding` and the rules in `baro.diagnostics.findings` that
  `baro.callbacks.TrainingDoctor` runs over a fit (`Examination`).
- `lr_find(model, x, y)`: the learning-rate range test, with a suggestion.
- `explain_compilation(model)`: which steps replay a compiled plan, and why
  others run eagerly.

See docs/diagnostics.md.
"""

from baro.callbacks import training_doctor as _training_doctor
from baro.diagnostics.compilation import StepStatus, explain_compilation
from baro.diagnostics.examination import Examination
from baro.diagnostics.findings import Finding
from baro.diagnostics.lr_finder import LRFinderResult, lr_find
from baro.diagnostics.statistics import InspectionReport, LayerStats, inspect

# TrainingDoctor (in callbacks, below this package) runs its examinations
# through this factory.
_training_doctor.register_examination(Examination)

__all__ = ["Examination", "Finding", "InspectionReport", "LRFinderResult",
           "LayerStats", "StepStatus", "explain_compilation", "inspect", "lr_find"]
