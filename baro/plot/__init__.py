"""`baro.plot`: the pictures a learner looks at (needs the `plot` extra).

`history` (loss and metric curves per epoch, to spot overfitting), `images` and
`mistakes` (image grids, wrong predictions in red), `confusion_matrix`, `model`
(a diagram of the layer graph, no Graphviz), `decision_boundary` (2-D
classifiers such as XOR or two moons), `filters` and `activations` (inside a
conv layer) and `robustness` (a `baro.evaluate_robustness` report).

Every function returns a matplotlib Figure, saves it when given `path=` (PNG by
default, written atomically) and opens a window only with `show=True`. On a
machine without a display matplotlib's Agg backend is used. `import baro.plot`
works without matplotlib; calling a function then raises ImportError saying
`pip install 'baro[plot]'`.
"""

from baro.plot.boundary import decision_boundary
from baro.plot.confusion import confusion_matrix
from baro.plot.conv import activations, filters
from baro.plot.curves import history
from baro.plot.diagram import model
from baro.plot.grids import images, mistakes
from baro.plot.robustness import robustness

__all__ = [
    "activations", "confusion_matrix", "decision_boundary", "filters", "history",
    "images", "mistakes", "model", "robustness",
]
