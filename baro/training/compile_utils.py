"""What `compile()` turns its arguments into: a loss per output and metric objects.

Strings, classes, instances and plain functions are all accepted, as in Keras;
"accuracy"/"acc" becomes binary, categorical or sparse categorical accuracy by
looking at the first batch's shapes (Keras 3's rule).
"""

from __future__ import annotations

from baro import losses as losses_module
from baro import metrics as metrics_module
from baro.core.tensor import Tensor


def _name_of(identifier, default: str) -> str:
    if isinstance(identifier, str):
        return identifier
    if hasattr(identifier, "name") and isinstance(identifier.name, str):
        return identifier.name
    return getattr(identifier, "__name__", default)


def _per_output(spec, output_names: list[str], what: str) -> list:
    """Spreads a compile argument over the outputs (one value, a list or a dict)."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"compile: {what} has keys {sorted(unknown)} that are "
                             f"not model outputs {output_names}.")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and n > 1 and len(spec) == n and \
            what == "loss":
        return list(spec)
    if isinstance(spec, (list, tuple)) and what == "loss":
        if len(spec) != 1:
            raise ValueError(f"compile: {len(spec)} losses given for {n} outputs "
                             f"{output_names}.")
        spec = spec[0]
    return [spec] * n


class CompiledLoss:
    """The total training loss: weighted sum of the per-output losses."""

    def __init__(self, loss, loss_weights, output_names: list[str]) -> None:
        self.output_names = output_names
        self.losses = []
        for identifier in _per_output(loss, output_names, "loss"):
            if identifier is None:
                self.losses.append(None)
                continue
            resolved = losses_module.get(identifier)
            if not isinstance(resolved, losses_module.Loss):
                resolved = losses_module.LossFunctionWrapper(
                    resolved, name=_name_of(identifier, "loss"))
            self.losses.append(resolved)
        if all(fn is None for fn in self.losses):
            raise ValueError("compile: loss is required to train. Pass e.g. "
                             "loss='mse' or loss='sparse_categorical_crossentropy'.")
        if loss_weights is None:
            self.weights = [1.0] * len(output_names)
        elif isinstance(loss_weights, dict):
            self.weights = [loss_weights.get(n, 1.0) for n in output_names]
        elif isinstance(loss_weights, (list, tuple)):
            self.weights = list(loss_weights)
        else:
            self.weights = [float(loss_weights)] * len(output_names)
        if len(self.weights) != len(output_names):
            raise ValueError(f"compile: {len(self.weights)} loss_weights for "
                             f"{len(output_names)} outputs.")

    def __call__(self, y_true: list, y_pred: list, sample_weight: list):
        """Returns (total loss Tensor, {output name: its loss Tensor})."""
        total = None
        parts = {}
        for i, fn in enumerate(self.losses):
            if fn is None or y_true[i] is None:
                continue
            value = fn(y_true[i], y_pred[i], sample_weight=sample_weight[i])
            parts[self.output_names[i]] = value
            weighted = value if self.weights[i] == 1.0 else value * self.weights[i]
            total = weighted if total is None else total + weighted
        if total is None:
            raise ValueError("The model has a loss but received no targets y.")
        return total, parts


class CompiledMetrics:
    """Metric objects per output, built at the first batch (shapes known then)."""

    def __init__(self, metrics, weighted_metrics, output_names: list[str]) -> None:
        self.output_names = output_names
        self._specs = [(metrics, False), (weighted_metrics, True)]
        self.entries: list[tuple[int, object, bool]] = []
        self.built = False

    def build(self, y_true: list, y_pred: list) -> None:
        multi = len(self.output_names) > 1
        seen: set[str] = set()
        for spec, weighted in self._specs:
            if spec is None:
                continue
            if isinstance(spec, dict):
                per_output = _per_output(spec, self.output_names, "metrics")
            elif multi and isinstance(spec, (list, tuple)) and \
                    len(spec) == len(self.output_names) and \
                    all(isinstance(s, (list, tuple)) for s in spec):
                per_output = list(spec)
            else:
                per_output = [spec] * len(self.output_names)
            for i, items in enumerate(per_output):
                if items is None:
                    continue
                if not isinstance(items, (list, tuple)):
                    items = [items]
                for identifier in items:
                    metric = self._resolve(identifier, y_true[i], y_pred[i])
                    if multi:
                        metric.name = f"{self.output_names[i]}_{metric.name}"
                    if weighted and metric.name in seen:
                        metric.name = f"weighted_{metric.name}"
                    seen.add(metric.name)
                    self.entries.append((i, metric, weighted))
        self.built = True

    @staticmethod
    def _resolve(identifier, y_true, y_pred):
        name = _name_of(identifier, "metric")
        if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
            identifier = _accuracy_for(y_true, y_pred)
        resolved = metrics_module.get(identifier)
        if isinstance(resolved, metrics_module.Metric):
            return resolved
        return metrics_module.MeanMetricWrapper(resolved, name=name)

    @property
    def metrics(self) -> list:
        return [m for _, m, _ in self.entries]

    def update_state(self, y_true: list, y_pred: list, sample_weight: list) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        for i, metric, weighted in self.entries:
            if y_true[i] is None:
                continue
            metric.update_state(y_true[i], y_pred[i],
                                sample_weight[i] if weighted else None)

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def _accuracy_for(y_true, y_pred):
    """Keras's choice for "accuracy": by the shapes of labels and predictions."""
    pred_shape = y_pred.shape
    true_shape = y_true.shape if hasattr(y_true, "shape") else ()
    if pred_shape[-1] == 1 if pred_shape else False:
        return metrics_module.binary_accuracy
    if len(true_shape) < len(pred_shape) or (true_shape and true_shape[-1] == 1):
        return metrics_module.sparse_categorical_accuracy
    return metrics_module.categorical_accuracy


def as_list(structure, names: list[str]) -> list:
    """Model outputs/targets as a list in output order (dicts by output name)."""
    if structure is None:
        return [None] * len(names)
    if isinstance(structure, dict):
        return [structure.get(n) for n in names]
    if isinstance(structure, (list, tuple)) and len(names) > 1:
        return list(structure)
    if isinstance(structure, (list, tuple)) and len(structure) == 1 and \
            isinstance(structure[0], Tensor):
        return [structure[0]]
    return [structure]
